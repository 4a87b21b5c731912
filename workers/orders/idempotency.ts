import { hasTable, migrate, type SchemaPart } from '../../shared/schema';

/** How long an idempotency key is kept (the order itself is kept for good). */
export const KEEP_KEYS_MS = 7 * 24 * 3600 * 1000;

/** What a keyed request meets: nothing yet, the first answer to replay, or another body. */
export type KeyLookup = { kind: 'new' } | { kind: 'replay'; body: string } | { kind: 'mismatch' };

/**
 * The idempotency record of one `Idempotency-Key` (Stripe's and the IETF draft's semantics), kept
 * in the Durable Object of the order the key names: the request that places the order records its
 * answer in the same transaction, a repeat with the same body gets that answer replayed, a repeat
 * with another body is refused. A request refused before placing records nothing, so a retry runs
 * again. Kept {@link KEEP_KEYS_MS}; the order's alarm forgets it then.
 */
export class IdempotencyRecord {
  /** The record's table, for the object's `migrate`. */
  static readonly schema: SchemaPart = {
    name: 'idempotency',
    // Made by earlier deploys with every order, now with the first key (`prepare`): an object may have the
    // table but no record of the part, so the first step must keep IF NOT EXISTS, and the part must never
    // get a `tables` list (`migrate` would make it over the table the step made).
    steps: [
      `CREATE TABLE IF NOT EXISTS idempotency (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL,
        started_at INTEGER NOT NULL, status INTEGER, body TEXT)`,
    ],
  };

  private readonly sql: SqlStorage;
  /** Whether this instance has brought the record's table up to date (made it, or run its new steps). */
  private ready = false;

  /**
   * Its table is made by the first request with a key ({@link lookup}): an order placed without
   * one never writes it (2 rows). `parts` are the object's other parts, which `migrate` needs beside it.
   */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly parts: readonly SchemaPart[],
  ) {
    this.sql = storage.sql;
  }

  /**
   * Makes the record's table, or runs the steps it has not run; once per instance. A new table is
   * made by the part's first step alone, without rewriting the object's schema record (1 row): the
   * record learns of the part at the next `migrate` that includes it, which finds the table made
   * (that is why the part must keep `IF NOT EXISTS` and never get a `tables` list).
   */
  private prepare(): void {
    if (this.ready) return;
    const [first] = IdempotencyRecord.schema.steps;
    if (!hasTable(this.sql, 'idempotency') && typeof first === 'string') this.sql.exec(first);
    else migrate(this.storage, [...this.parts, IdempotencyRecord.schema]);
    this.ready = true;
  }

  /** What a request with this key meets; makes the record's table first if the object has none. */
  lookup(fingerprint: string): KeyLookup {
    this.prepare();
    const row = this.sql
      .exec<{ fingerprint: string; body: string | null }>('SELECT fingerprint, body FROM idempotency WHERE id = 1')
      .toArray()[0];
    if (!row?.body) return { kind: 'new' };
    return row.fingerprint === fingerprint ? { kind: 'replay', body: row.body } : { kind: 'mismatch' };
  }

  /** Records the answer to replay; call in the transaction that places the order, after {@link lookup}. */
  record(fingerprint: string, body: unknown, now: number): void {
    this.sql.exec(
      `INSERT INTO idempotency (id, fingerprint, started_at, status, body) VALUES (1, ?, ?, 202, ?)
       ON CONFLICT (id) DO NOTHING`,
      fingerprint,
      now,
      JSON.stringify(body),
    );
  }

  /** Forgets a key older than {@link KEEP_KEYS_MS}; answers when it must next look (epoch ms). */
  prune(now: number): number {
    if (!this.ready && !hasTable(this.sql, 'idempotency')) return Number.POSITIVE_INFINITY;
    this.sql.exec('DELETE FROM idempotency WHERE started_at < ?', now - KEEP_KEYS_MS);
    const row = this.sql.exec<{ at: number }>('SELECT started_at AS at FROM idempotency').toArray()[0];
    return row ? row.at + KEEP_KEYS_MS : Number.POSITIVE_INFINITY;
  }
}
