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

/** What alarms set are counted as: not a table, but billed as a row written each. */
const ALARM = '(alarm)';

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

  /**
   * Keeps a write statement's cursor, to be counted later (one with RETURNING writes as it is
   * read); answers whether it may write. Reads are not kept.
   */
  watch(query: string, cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): boolean {
    const target = targetOf(query);
    if (target.table === '(other)' && !target.schema) return false;
    this.open.push({ ...target, cursor });
    return true;
  }

  /** Counts an alarm set: Cloudflare bills each `setAlarm()` as a row written. */
  alarmSet(): void {
    this.totals.set(ALARM, (this.totals.get(ALARM) ?? 0) + 1);
    this.unflushed += 1;
  }

  /**
   * Rows written since the object started, by table (`outbox`), schema change (`outbox (schema)`)
   * and alarms set (`(alarm)`).
   */
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
      // Miniflare keeps each object's name in a table of its own; Cloudflare does not.
      if (table.startsWith('__miniflare') || this.notOurs.includes(table)) continue;
      const n = cursor.rowsWritten;
      const key = schema ? `${table} (schema)` : table;
      this.totals.set(key, (this.totals.get(key) ?? 0) + n);
      this.unflushed += n;
    }
    this.open = [];
  }
}

/**
 * How long after a write the object's count is handed to its meter: long enough that a
 * transaction, the send that follows it and the outbox row deleted after the send are one data
 * point, short enough to keep the object busy for no noticeable time.
 */
export const FLUSH_AFTER_MS = 10;

/**
 * Counts every row a Durable Object writes into `billable_total{op="do_row_written", store}`. Call
 * it first in the constructor, before anything touches the storage: from then on every statement
 * of the object and of the parts it holds (outbox, inbox, stream) is seen, schema changes
 * included, and every `setAlarm()` (billed as a row written; `deleteAlarm()` is not said to be).
 * Statements and alarms run unchanged; the count is handed to `meter` {@link FLUSH_AFTER_MS} after
 * the first write since the last time (held by `waitUntil`), so counting never delays the work.
 *
 * @example
 * this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'orders', ctx), new RowsWritten('OrderDO'));
 */
export function countRowsWritten(ctx: DurableObjectState, meter: Meter, rows: RowsWritten): RowsWritten {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  const setAlarm = ctx.storage.setAlarm.bind(ctx.storage);
  let due = false;
  const flush = async () => {
    due = false;
    meter.count('billable_total', { op: 'do_row_written', store: rows.store }, rows.take());
    await meter.flush();
  };
  const flushSoon = () => {
    if (due) return;
    due = true;
    ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS)).then(flush));
  };
  Object.defineProperty(sql, 'exec', {
    configurable: true,
    value: <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
      const cursor = exec<T>(query, ...bindings);
      if (rows.watch(query, cursor)) flushSoon();
      return cursor;
    },
  });
  Object.defineProperty(ctx.storage, 'setAlarm', {
    configurable: true,
    value: (scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void> => {
      rows.alarmSet();
      flushSoon();
      return setAlarm(scheduledTime, options);
    },
  });
  return rows;
}
