import type { Meter } from './metrics';

/** The table a statement writes, and whether it changes the table's schema rather than its rows. */
export function targetOf(query: string): { table: string; schema: boolean } {
  const name = String.raw`["\`[]?(\w+)`;
  const dml = new RegExp(
    String.raw`^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+${name}`,
    'i',
  ).exec(query);
  if (dml) return { table: dml[1]!, schema: false };
  const ddl =
    new RegExp(String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+${name}`, 'i').exec(query) ??
    new RegExp(String.raw`^\s*(?:CREATE|ALTER|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?${name}`, 'i').exec(query);
  if (ddl) return { table: ddl[1]!, schema: true };
  return { table: '(other)', schema: /^\s*(?:CREATE|ALTER|DROP)\b/i.test(query) };
}

/**
 * The rows one Durable Object writes, as SQLite reports them for each statement
 * (`cursor.rowsWritten`: the figure Cloudflare bills, index entries and schema changes included).
 * {@link countRowsWritten} feeds it every statement the object runs.
 */
export class RowsWritten {
  private open: { table: string; schema: boolean; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  private readonly totals = new Map<string, number>();
  private unflushed = 0;

  /**
   * @param store what the rows are counted as (`OrderDO`)
   * @param notOurs tables seen but not counted: a local stand-in's (the sandbox payment provider's), which production does not have
   */
  constructor(
    readonly store: string,
    private readonly notOurs: readonly string[] = [],
  ) {}

  /** A cursor's count is read once the turn is over: a statement with RETURNING writes as it is read. */
  watch(query: string, cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.open.push({ ...targetOf(query), cursor });
  }

  /** Rows written since the object started, by table (`outbox`) and schema change (`outbox (schema)`). */
  byTable(): Record<string, number> {
    this.settle();
    return Object.fromEntries([...this.totals].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Rows written since the last call. */
  take(): number {
    this.settle();
    const taken = this.unflushed;
    this.unflushed = 0;
    return taken;
  }

  private settle(): void {
    for (const { table, schema, cursor } of this.open) {
      if (this.notOurs.includes(table)) continue;
      const n = cursor.rowsWritten;
      const key = schema ? `${table} (schema)` : table;
      this.totals.set(key, (this.totals.get(key) ?? 0) + n);
      this.unflushed += n;
    }
    this.open = [];
  }
}

/**
 * Counts every row a Durable Object writes into `billable_total{op="do_row_written", store}`. Call
 * it first in the constructor, before anything touches the storage: from then on every statement
 * of the object and of the parts it holds (outbox, inbox, stream) is seen, schema changes
 * included. Statements run unchanged; what a turn wrote is handed to `meter` when the turn ends,
 * so a transaction is one data point and counting never delays it.
 *
 * @example
 * this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'orders', ctx), new RowsWritten('OrderDO'));
 */
export function countRowsWritten(ctx: DurableObjectState, meter: Meter, rows: RowsWritten): RowsWritten {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  let due = false;
  const flush = () => {
    due = false;
    meter.count('billable_total', { op: 'do_row_written', store: rows.store }, rows.take());
    void meter.flush();
  };
  Object.defineProperty(sql, 'exec', {
    configurable: true,
    value: <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
      const cursor = exec<T>(query, ...bindings);
      rows.watch(query, cursor);
      if (!due) {
        due = true;
        queueMicrotask(flush);
      }
      return cursor;
    },
  });
  return rows;
}
