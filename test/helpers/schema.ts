import { migrate, type SchemaPart } from '../../shared/schema';

/** The object's own tables (not SQLite's, not the runtime's). */
export function userTables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((t) => t.name)
    .filter((name) => !name.startsWith('sqlite_') && !name.startsWith('_cf_'));
}

/** Empties the object's storage of tables, then runs `statements`: the shape an earlier deploy left. */
export function rebuildAs(sql: SqlStorage, statements: readonly string[]): void {
  for (const table of userTables(sql)) sql.exec(`DROP TABLE ${table}`);
  for (const statement of statements) sql.exec(statement);
}

/** The tables, their columns, keys and indexes, as SQLite keeps their definitions, spacing and quoting aside. */
export function shapeOf(sql: SqlStorage): Record<string, string[]> {
  const normal = (ddl: string) =>
    ddl
      .replace(/["`]/g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([(),])\s*/g, '$1')
      .replace(/^CREATE TABLE IF NOT EXISTS/i, 'CREATE TABLE')
      .toLowerCase();
  const shape: Record<string, string[]> = {};
  for (const row of sql
    .exec<{ tbl_name: string; sql: string | null }>('SELECT tbl_name, sql FROM sqlite_master ORDER BY type DESC, name')
    .toArray()) {
    if (!row.sql || row.tbl_name.startsWith('sqlite_') || row.tbl_name.startsWith('_cf_') || row.tbl_name === '_schema_versions')
      continue;
    shape[row.tbl_name] = [...(shape[row.tbl_name] ?? []), normal(row.sql)];
  }
  return shape;
}

/** The tables a new object makes, and the tables an object gets by running every step since the first deploy. */
export function bothWays(storage: DurableObjectStorage, parts: readonly SchemaPart[]) {
  const { sql } = storage;
  rebuildAs(sql, []);
  migrate(storage, parts);
  const made = shapeOf(sql);
  // An object that records having run none of each part's steps replays every step (a part missing
  // from its record would make its tables instead: it never ran that part).
  rebuildAs(sql, ['CREATE TABLE _schema_versions (id INTEGER PRIMARY KEY CHECK (id = 1), versions TEXT NOT NULL)']);
  sql.exec(
    'INSERT INTO _schema_versions (id, versions) VALUES (1, ?)',
    JSON.stringify(Object.fromEntries(parts.map((part) => [part.name, 0]))),
  );
  migrate(storage, parts);
  return { made, replayed: shapeOf(sql) };
}

/** What the object records of the steps each part has run. */
export function versionsOf(sql: SqlStorage): Record<string, number> {
  return JSON.parse(sql.exec<{ versions: string }>('SELECT versions FROM _schema_versions WHERE id = 1').one().versions);
}
