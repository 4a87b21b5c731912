/**
 * Brings one component's tables in a Durable Object's SQLite up to date: runs, in one transaction,
 * the steps it has not run yet, and records how far it got. Steps are only ever appended: to
 * change a table, add a step (e.g. `ALTER TABLE … ADD COLUMN …`), never edit an old one, so objects
 * created by any earlier deploy reach the same schema. (First steps say `IF NOT EXISTS`: objects
 * made before migrations were tracked already have those tables.)
 *
 * @example
 * migrate(ctx.storage, 'payment', ['CREATE TABLE IF NOT EXISTS payment (…)', 'ALTER TABLE payment ADD COLUMN refunded_at TEXT']);
 */
export function migrate(storage: DurableObjectStorage, component: string, steps: readonly string[]): void {
  storage.transactionSync(() => {
    const { sql } = storage;
    sql.exec('CREATE TABLE IF NOT EXISTS _schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const done =
      sql.exec<{ version: number }>('SELECT version FROM _schema WHERE component = ?', component).toArray()[0]?.version ?? 0;
    if (done >= steps.length) return;
    for (const step of steps.slice(done)) sql.exec(step);
    sql.exec(
      'INSERT INTO _schema (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
      component,
      steps.length,
    );
  });
}
