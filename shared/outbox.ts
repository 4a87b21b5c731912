import { Event } from './events';
import { publish } from './publish';

/** How long an unsent event waits before the alarm sends it again. */
export const RESEND_AFTER_MS = 5_000;

/**
 * The transactional outbox of a Durable Object: events are written in the same SQLite transaction
 * as the state change that made them, then sent. If the send fails, or the object dies first,
 * the alarm sends them again, so no event is lost between commit and send. Consumers dedup by id,
 * so an event sent twice still has one effect.
 */
export class Outbox {
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly bus: Queue,
  ) {
    storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)',
    );
  }

  /**
   * Validates and stages events; call it inside the `transactionSync` that changes the state, so an
   * invalid event rolls the change back with it. The resend alarm is armed in the same synchronous
   * turn, so it commits with them.
   */
  add(events: readonly Event[]): void {
    for (const event of events.map((e) => Event.parse(e))) {
      this.storage.sql.exec('INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)', event.id, JSON.stringify(event));
    }
    if (events.length > 0) void this.storage.setAlarm(Date.now() + RESEND_AFTER_MS);
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

  /** For the object's `alarm()`: sends what is left and re-arms itself while anything is. */
  async onAlarm(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      console.error(JSON.stringify({ msg: 'outbox send failed; will retry', error: String(error) }));
      await this.storage.setAlarm(Date.now() + RESEND_AFTER_MS);
    }
  }

  private async sendAll(): Promise<void> {
    for (;;) {
      const rows = this.storage.sql
        .exec<{ seq: number; body: string }>('SELECT seq, body FROM outbox ORDER BY seq LIMIT 100')
        .toArray();
      if (rows.length === 0) return;
      await publish(
        this.bus,
        rows.map((r) => JSON.parse(r.body)),
      );
      this.storage.sql.exec('DELETE FROM outbox WHERE seq <= ?', rows.at(-1)!.seq);
    }
  }
}
