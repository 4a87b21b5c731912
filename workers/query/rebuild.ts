import { archivedEvents, hourPrefixes } from '../../shared/archive';
import { LIVE, project, recordFreshness, type Tables } from './projections';

/** How far back, from the rebuild's start, events are projected again after the swap. */
const CATCH_UP_MS = 5 * 60_000;

/** The live tables' DDL (from the migrations, as SQLite keeps it), renamed for generation `gen`. */
async function ddlFor(db: D1Database, gen: string): Promise<string[]> {
  const statements: string[] = [];
  for (const table of Object.values(LIVE)) {
    const { results } = await db
      .prepare('SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC')
      .bind(table)
      .all<{ type: 'table' | 'index'; name: string; sql: string }>();
    for (const { type, name, sql } of results) {
      const fresh = `${table}_${gen}`;
      const onTable = new RegExp(`(CREATE TABLE|ON)\\s+"?${table}"?(\\s|\\()`, 'i');
      let ddl = sql.replace(onTable, (_m, head, tail) => `${head} ${fresh}${tail}`);
      if (type === 'index')
        ddl = ddl.replace(new RegExp(`INDEX\\s+"?${name}"?`, 'i'), `INDEX ${name.replace(/_g\d+$/, '')}_${gen}`);
      statements.push(ddl);
    }
  }
  return statements;
}

/**
 * Rebuilds every read model from the event archive: projects all archived events into fresh
 * tables (made from the live tables' own definitions), swaps them in with one transaction, then
 * projects again whatever arrived meanwhile. Reads keep using the live tables until the swap.
 */
export async function rebuild(db: D1Database, archive: R2Bucket): Promise<{ events: number; tables: string[] }> {
  const started = Date.now();
  const gen = `g${started}`;
  const fresh: Tables = { orders: `${LIVE.orders}_${gen}`, lines: `${LIVE.lines}_${gen}`, timeline: `${LIVE.timeline}_${gen}` };
  await db.batch((await ddlFor(db, gen)).map((sql) => db.prepare(sql)));

  let count = 0;
  let newest: string | null = null;
  const newer = (at: string) => (newest === null || at > newest ? at : newest);
  for await (const events of archivedEvents(archive, ['events/'])) {
    for (const event of events) {
      await project(db, event, fresh);
      newest = newer(event.occurredAt);
    }
    count += events.length;
  }

  await db.batch(
    Object.values(LIVE).flatMap((table) => [
      db.prepare(`ALTER TABLE ${table} RENAME TO ${table}_old_${gen}`),
      db.prepare(`ALTER TABLE ${table}_${gen} RENAME TO ${table}`),
      db.prepare(`DROP TABLE ${table}_old_${gen}`),
    ]),
  );

  // Events projected into the old tables while we rebuilt: project them again into the new ones.
  const since = new Date(started - CATCH_UP_MS);
  for await (const events of archivedEvents(archive, hourPrefixes(since, new Date()))) {
    for (const event of events)
      if (new Date(event.occurredAt) >= since) {
        await project(db, event);
        newest = newer(event.occurredAt);
      }
  }
  if (newest !== null) await recordFreshness(db, newest);
  return { events: count, tables: Object.values(LIVE) };
}
