import type { SchemaPart } from './schema';

/**
 * The processed-event log of a Durable Object: consumers check and record event ids in the
 * same transaction as the effect, so a redelivered event changes nothing.
 */
export class Inbox {
  /** The inbox's table, for the object's `migrate`. */
  static readonly schema: SchemaPart = {
    name: 'inbox',
    steps: [
      'CREATE TABLE IF NOT EXISTS inbox (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL)',
      // Keyed by the event id alone (no rowid with an index beside it): an event is one row written, not two.
      'CREATE TABLE inbox_by_id (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL) WITHOUT ROWID',
      'INSERT INTO inbox_by_id (event_id, processed_at) SELECT event_id, processed_at FROM inbox',
      'DROP TABLE inbox',
      'ALTER TABLE inbox_by_id RENAME TO inbox',
    ],
    tables: ['CREATE TABLE inbox (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL) WITHOUT ROWID'],
  };

  private readonly sql: SqlStorage;

  /** The object's `migrate` must have run {@link Inbox.schema}. */
  constructor(storage: DurableObjectStorage) {
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
