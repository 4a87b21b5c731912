/**
 * One part of a Durable Object's schema (its outbox, its stream, its own state), as two lists that
 * must arrive at the same tables (a test per object checks it):
 * - `steps`: every change since the part's first deploy, in order, only ever appended (to change a
 *   table, add a step, never edit an old one), so an object made by any earlier deploy catches up;
 * - `tables`: the tables as they are now, made at once by a new object (and by an object that
 *   never ran the part: a part's tables must be made by that part alone). Schema changes are rows
 *   written, so a new object does not replay the history. Defaults to `steps`.
 */
export interface SchemaPart {
  name: string;
  steps: readonly Step[];
  tables?: readonly Step[];
}

/** A statement, or code for what SQL alone cannot say (e.g. moving a row into a JSON shape). */
export type Step = string | ((sql: SqlStorage) => void);

/**
 * The generation of Durable Object storage, raised by a release whose tables the code before it
 * cannot use: it reshaped or dropped what older code reads or writes (a contract step). Code of
 * two generations must never serve the same objects, so `npm run deploy` refuses to split traffic
 * between them or to shift back to an older one (`checkStorageGenerations` in scripts/resources.ts).
 * - 2: one schema record per object (`_schema` dropped); outbox, inbox and carrier webhooks keyed
 *   without a rowid, the outbox without its `staged_at` and `sent_at` columns.
 * - 3: a new customer's KeyDO makes its erasure tables (`erasures`, the outbox) when first asked
 *   to erase, not with its first order; `sealed_orders` keyed without a rowid.
 */
export const STORAGE_GENERATION = 3;

/**
 * Tables of SQLite and of the runtime, not of the object: `_cf_*` on Cloudflare, and locally
 * miniflare's `__miniflare_do_name`, written when an object is first addressed by name, so an
 * object that makes its tables on its first call (not in its constructor) is new all the same.
 */
const RUNTIME_TABLE = /^(sqlite_|_cf_|__miniflare)/;

/** Which steps of each part an object has run: one row per object. */
const RECORD = '_schema_versions';
/** How objects recorded it before: one row per part. */
const LEGACY_RECORD = '_schema';

/**
 * Brings a Durable Object's tables up to date, in one transaction: a new object makes each part's
 * `tables`, and so does an object that keeps a record but has none of a part (it never ran that
 * part: an object may make a part's tables only when it first needs them); an object made by an
 * earlier deploy runs the steps of each part it has not run yet.
 * What each part has run is one row for the whole object, written only when something changed.
 * Objects that recorded it per part (`_schema`) are read from that record, which is then dropped;
 * objects made before migrations were recorded at all replay every step (first steps say
 * `IF NOT EXISTS` for them).
 *
 * @example
 * migrate(ctx.storage, [Outbox.schema, { name: 'payment', steps: ['CREATE TABLE payment_state (…)'] }]);
 */
export function migrate(storage: DurableObjectStorage, parts: readonly SchemaPart[]): void {
  storage.transactionSync(() => {
    const { sql } = storage;
    const tables = new Set(
      sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((t) => t.name)
        .filter((name) => !RUNTIME_TABLE.test(name)),
    );
    const fresh = tables.size === 0;
    // An object with a record (either kind) recorded every part it ran, so a part missing from it never ran.
    const keepsRecord = tables.has(RECORD) || tables.has(LEGACY_RECORD);
    const done = recorded(sql, tables);
    let changed = !tables.has(RECORD);
    for (const part of parts) {
      const ran = done[part.name] ?? 0;
      if (ran >= part.steps.length) continue;
      const newPart = fresh || (keepsRecord && done[part.name] === undefined);
      for (const step of newPart ? (part.tables ?? part.steps) : part.steps.slice(ran)) {
        if (typeof step === 'string') sql.exec(step);
        else step(sql);
      }
      done[part.name] = part.steps.length;
      changed = true;
    }
    if (!changed) return;
    if (!tables.has(RECORD)) sql.exec(`CREATE TABLE ${RECORD} (id INTEGER PRIMARY KEY CHECK (id = 1), versions TEXT NOT NULL)`);
    sql.exec(
      `INSERT INTO ${RECORD} (id, versions) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET versions = excluded.versions`,
      JSON.stringify(done),
    );
    if (tables.has(LEGACY_RECORD)) sql.exec(`DROP TABLE ${LEGACY_RECORD}`);
  });
}

/** Whether the object has the table `name`: for a part whose tables are made when first needed. */
export function hasTable(sql: SqlStorage, name: string): boolean {
  return sql.exec('SELECT 1 FROM sqlite_master WHERE name = ?', name).toArray().length > 0;
}

/** The steps each part has run, from the object's record, or from the per-part record of older deploys. */
function recorded(sql: SqlStorage, tables: ReadonlySet<string>): Record<string, number> {
  if (tables.has(RECORD)) {
    const row = sql.exec<{ versions: string }>(`SELECT versions FROM ${RECORD} WHERE id = 1`).toArray()[0];
    return row ? (JSON.parse(row.versions) as Record<string, number>) : {};
  }
  if (!tables.has(LEGACY_RECORD)) return {};
  return Object.fromEntries(
    sql
      .exec<{ component: string; version: number }>(`SELECT component, version FROM ${LEGACY_RECORD}`)
      .toArray()
      .map((r) => [r.component, r.version]),
  );
}
