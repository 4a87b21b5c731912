import { migrate } from '../../shared/schema';

/** How long a keyed request may stay in flight before a retry may take it over (a crashed first try). */
export const IN_FLIGHT_LEASE_MS = 30_000;

/** What a keyed request may do, given what the key has seen. */
export type Start =
  | { kind: 'proceed' }
  /** `body` is the first answer's JSON: the order, or `{ error }`. */
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

/**
 * The idempotency record of one `Idempotency-Key` (Stripe's and the IETF draft's semantics),
 * kept in the Durable Object of the order the key names: the first request claims it, a repeat
 * with the same body gets the first answer replayed, a repeat with another body is refused, and a
 * repeat while the first is still running is told to wait.
 */
export class IdempotencyRecord {
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    migrate(storage, 'idempotency', [
      `CREATE TABLE IF NOT EXISTS idempotency (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL,
        started_at INTEGER NOT NULL, status INTEGER, body TEXT)`,
    ]);
    this.sql = storage.sql;
  }

  start(fingerprint: string, now: number): Start {
    const row = this.sql
      .exec<{ fingerprint: string; started_at: number; status: number | null; body: string | null }>(
        'SELECT fingerprint, started_at, status, body FROM idempotency WHERE id = 1',
      )
      .toArray()[0];
    if (row && row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row?.status != null) return { kind: 'replay', status: row.status, body: row.body! };
    if (row && now - row.started_at < IN_FLIGHT_LEASE_MS) return { kind: 'in_flight' };
    this.sql.exec(
      `INSERT INTO idempotency (id, fingerprint, started_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at`,
      fingerprint,
      now,
    );
    return { kind: 'proceed' };
  }

  /**
   * Lets go of a claim whose request was refused before anything happened (validation, e.g. an
   * unknown SKU the catalog may learn of soon), so a retry runs again, as Stripe does.
   */
  release(fingerprint: string): void {
    this.sql.exec('DELETE FROM idempotency WHERE id = 1 AND fingerprint = ? AND status IS NULL', fingerprint);
  }

  /** Records the answer to replay; the first answer stays. */
  finish(fingerprint: string, status: number, body: unknown): void {
    this.sql.exec(
      'UPDATE idempotency SET status = ?, body = ? WHERE id = 1 AND fingerprint = ? AND status IS NULL',
      status,
      JSON.stringify(body),
      fingerprint,
    );
  }
}
