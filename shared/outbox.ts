import { Event } from './events';
import { publish } from './publish';
import { migrate } from './schema';

/** How long an unsent event waits before the alarm sends it again. */
export const RESEND_AFTER_MS = 5_000;
/** How long sent events stay, so they can be sent again on request (e.g. a saga asking again). */
export const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

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
    migrate(storage, 'outbox', [
      `CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
        body TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
    ]);
  }

  /**
   * Validates and stages events; call it inside the `transactionSync` that changes the state, so an
   * invalid event rolls the change back with it. The alarm is armed in the same synchronous turn,
   * so it commits with them: at the resend time, or at `wakeAt` if the object needs it sooner.
   */
  add(events: readonly Event[], wakeAt = Number.POSITIVE_INFINITY): void {
    this.stage(events, wakeAt, 'INSERT OR IGNORE INTO outbox (id, type, body, staged_at) VALUES (?, ?, ?, ?)');
  }

  /**
   * Like {@link add}, but an event already staged (the same fact, by id) is sent again: for a
   * fact announced again because its first announcement may have been lost.
   */
  announce(events: readonly Event[], wakeAt = Number.POSITIVE_INFINITY): void {
    this.stage(
      events,
      wakeAt,
      'INSERT INTO outbox (id, type, body, staged_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET sent_at = NULL',
    );
  }

  /** Forgets sent events older than {@link KEEP_SENT_MS}; runs with every write, so no alarm is needed for it. */
  prune(): void {
    this.storage.sql.exec('DELETE FROM outbox WHERE sent_at < ?', Date.now() - KEEP_SENT_MS);
  }

  private stage(events: readonly Event[], wakeAt: number, insert: string): void {
    for (const event of events.map((e) => Event.parse(e))) {
      this.storage.sql.exec(insert, event.id, event.type, JSON.stringify(event), Date.now());
    }
    if (events.length > 0) {
      this.prune();
      this.armResend(wakeAt);
    }
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
    return this.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').one().n;
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
   * For the object's `alarm()`: sends what is left and forgets old sent events. Answers when the
   * outbox next needs the alarm (epoch ms), or infinity; the object arms the earliest of its needs.
   */
  async onAlarm(): Promise<number> {
    this.prune();
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
        .exec<{ seq: number; body: string }>('SELECT seq, body FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 100')
        .toArray();
      if (rows.length === 0) return;
      await publish(
        this.bus,
        rows.map((r) => JSON.parse(r.body)),
      );
      this.storage.sql.exec(
        'UPDATE outbox SET sent_at = ? WHERE seq IN (SELECT value FROM json_each(?))',
        Date.now(),
        JSON.stringify(rows.map((r) => r.seq)),
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
