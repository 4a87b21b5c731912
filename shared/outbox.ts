import { Event } from './events';
import { publish } from './publish';
import type { SchemaPart } from './schema';

/** How long an unsent event waits before the alarm sends it again. */
export const RESEND_AFTER_MS = 5_000;

/**
 * The transactional outbox of a Durable Object: events are written in the same SQLite transaction
 * as the state change that made them, then sent, and deleted once sent. If the send fails, or the
 * object dies first, the alarm sends them again, so no event is lost between commit and send.
 * Consumers dedup by id, so an event sent twice still has one effect.
 */
export class Outbox {
  /** The outbox's table, for the object's `migrate`: a row per event waiting to be sent. */
  static readonly schema: SchemaPart = {
    name: 'outbox',
    steps: [
      `CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
        body TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
      // A sent event is deleted, not marked sent and kept: asked for again, it is rebuilt under its id. Keyed by the
      // id alone (no rowid, no second index, no AUTOINCREMENT counter), a staged event is one row written, not three.
      'CREATE TABLE outbox_waiting (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID',
      'INSERT INTO outbox_waiting (id, seq, type, body) SELECT id, seq, type, body FROM outbox WHERE sent_at IS NULL',
      'DROP TABLE outbox',
      'ALTER TABLE outbox_waiting RENAME TO outbox',
    ],
    tables: [
      'CREATE TABLE outbox (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID',
    ],
  };

  private flushing: Promise<void> | undefined;

  /** The object's `migrate` must have run {@link Outbox.schema}. */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly bus: Queue,
  ) {}

  /**
   * Validates and stages events; call it inside the `transactionSync` that changes the state, so an
   * invalid event rolls the change back with it. The alarm is armed in the same synchronous turn,
   * so it commits with them: at the resend time, or at `wakeAt` if the object needs it sooner.
   * An event still waiting to be sent (by id) is not staged twice.
   */
  add(events: readonly Event[], wakeAt = Number.POSITIVE_INFINITY): void {
    this.stage(events, wakeAt, 'ON CONFLICT (id) DO NOTHING');
  }

  /**
   * Like {@link add}, for a fact announced again because its first announcement may have been
   * lost: the event, under its first id, is sent (again). Still waiting, it goes as first staged,
   * after what was staged since, and even if a send of it is under way (that send may be lost too);
   * already sent (and so deleted), it is staged again as given, rebuilt by the caller.
   */
  announce(events: readonly Event[], wakeAt = Number.POSITIVE_INFINITY): void {
    this.stage(events, wakeAt, 'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq');
  }

  private stage(events: readonly Event[], wakeAt: number, onConflict: string): void {
    for (const event of events.map((e) => Event.parse(e))) {
      this.storage.sql.exec(
        `INSERT INTO outbox (id, seq, type, body) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?, ?) ${onConflict}`,
        event.id,
        event.type,
        JSON.stringify(event),
      );
    }
    if (events.length > 0) this.armResend(wakeAt);
  }

  /** Arms the alarm without awaiting it, so it commits with the caller's synchronous writes. */
  private armResend(wakeAt: number): void {
    void this.storage.setAlarm(Math.min(Date.now() + RESEND_AFTER_MS, wakeAt));
  }

  /** When the outbox next needs the alarm (epoch ms): soon while anything is unsent, else never. */
  nextWake(): number {
    return this.pending > 0 ? Date.now() + RESEND_AFTER_MS : Number.POSITIVE_INFINITY;
  }

  /** How many events are waiting to be sent. */
  get pending(): number {
    return this.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox').one().n;
  }

  /** Sends what is staged, oldest first; concurrent calls share one send. Throws if the bus does. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Sends now if it can; whatever fails stays staged and the alarm sends it. */
  async sendNow(): Promise<void> {
    await this.flush().catch((error) =>
      console.error(JSON.stringify({ msg: 'outbox send failed; the alarm resends', error: String(error) })),
    );
  }

  /**
   * For the object's `alarm()`: sends what is left. Answers when the outbox next needs the alarm
   * (epoch ms), or infinity; the object arms the earliest of its needs.
   */
  async onAlarm(): Promise<number> {
    try {
      await this.flush();
    } catch (error) {
      console.error(JSON.stringify({ msg: 'outbox send failed; will retry', error: String(error) }));
    }
    return this.nextWake();
  }

  private async sendAll(): Promise<void> {
    for (;;) {
      const rows = this.storage.sql
        .exec<{ id: string; seq: number; body: string }>('SELECT id, seq, body FROM outbox ORDER BY seq LIMIT 100')
        .toArray();
      if (rows.length === 0) return;
      await publish(
        this.bus,
        rows.map((r) => JSON.parse(r.body)),
      );
      // Only the rows as they were sent: one announced again during the send has a new seq, and is sent again.
      this.storage.sql.exec(
        "DELETE FROM outbox WHERE (id, seq) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?))",
        JSON.stringify(rows.map((r) => [r.id, r.seq])),
      );
    }
  }
}

/** Arms the alarm at the earliest of `times`, or clears it when none is finite. */
export async function armAlarm(storage: DurableObjectStorage, ...times: number[]): Promise<void> {
  const at = Math.min(...times);
  if (Number.isFinite(at)) await storage.setAlarm(at);
  else await storage.deleteAlarm();
}
