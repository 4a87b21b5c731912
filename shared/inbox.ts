import { migrate } from './schema';

/**
 * The processed-event log of a Durable Object: consumers check and record event ids in the
 * same transaction as the effect, so a redelivered event changes nothing.
 */
export class Inbox {
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    migrate(storage, 'inbox', ['CREATE TABLE IF NOT EXISTS inbox (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL)']);
    this.sql = storage.sql;
  }

  /** Records `eventId`; false when it was already there. Call inside the effect's transaction. */
  firstTime(eventId: string): boolean {
    const cursor = this.sql.exec(
      'INSERT INTO inbox (event_id, processed_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      eventId,
      new Date().toISOString(),
    );
    return cursor.rowsWritten > 0;
  }
}
