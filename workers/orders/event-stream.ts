import { DomainError } from '../../shared/errors';
import type { SchemaPart } from '../../shared/schema';
import type { OrderChange } from './order';

/** The append-only stream of one order's events in its Durable Object's SQLite. */
export class EventStream {
  /** The stream's table, for the object's `migrate`. */
  static readonly schema: SchemaPart = {
    name: 'events',
    steps: ['CREATE TABLE IF NOT EXISTS events (version INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)'],
  };

  private readonly sql: SqlStorage;

  /** The object's `migrate` must have run {@link EventStream.schema}. */
  constructor(storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /** Every event, oldest first. */
  read(): OrderChange[] {
    return this.sql
      .exec<{ type: string; data: string }>('SELECT type, data FROM events ORDER BY version')
      .toArray()
      .map((row) => ({ type: row.type, data: JSON.parse(row.data) }) as OrderChange);
  }

  /**
   * Appends events after `expectedVersion`; throws `version_conflict` (and so fails the whole
   * transaction) if the stream has moved on. Versions never repeat and never skip.
   */
  append(events: readonly OrderChange[], expectedVersion: number): void {
    const current = this.sql.exec<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM events').one().v;
    if (current !== expectedVersion) {
      throw new DomainError('version_conflict', `expected version ${expectedVersion}, found ${current}`);
    }
    events.forEach((event, i) => {
      this.sql.exec(
        'INSERT INTO events (version, type, data) VALUES (?, ?, ?)',
        expectedVersion + i + 1,
        event.type,
        JSON.stringify(event.data),
      );
    });
  }
}
