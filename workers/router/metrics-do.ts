import { DurableObject } from 'cloudflare:workers';
import { bucketOf, type Labels, type Milestone, type Point, type Span } from '../../shared/metrics';
import { type MetricsReport, type MetricsWindow, type SpanView, WINDOW_MINUTES } from '../../shared/metrics-api';
import { migrate } from '../../shared/schema';
import { type Bucket, buildReport, type Counter, key, type MinuteCount, minuteOf, STUCK_AFTER_SECONDS } from './metrics-report';

/** Per-minute rollups are kept a week, spans a day: enough for the dashboard's windows and waterfalls. */
const KEEP_MINUTES = 7 * 24 * 60;
const KEEP_SPANS_MS = 24 * 3600 * 1000;

/**
 * The spans of one order, oldest first. Every span of an order's trace names it (the gateway's
 * too: the handlers that place an order, take a carrier's update or redrive a dead letter name it,
 * other routes have it in their path), so `spans_by_order` answers: a timeline read does not scan a
 * day of spans.
 */
export const SPANS_OF_ORDER = 'SELECT * FROM spans WHERE order_id = ? ORDER BY start LIMIT 500';

const SETTLED = new Set(['confirmed', 'cancelled']);
const RANK: Record<string, number> = { pending: 0, confirmed: 1, cancelled: 1, shipped: 2, delivered: 3 };

/**
 * The local metrics store (one object, "global"): per-minute counters and histograms, spans, and
 * each order's last milestone, kept in SQLite. Under `wrangler dev` it is what the dashboard and
 * `GET /v1/admin/metrics` read; in production the same points go to Analytics Engine.
 */
export class MetricsDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, [
      {
        name: 'metrics',
        steps: [
          `CREATE TABLE counters (minute INTEGER NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,
            PRIMARY KEY (minute, name, labels))`,
          `CREATE TABLE histograms (minute INTEGER NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, bucket INTEGER NOT NULL,
            n INTEGER NOT NULL, sum REAL NOT NULL, PRIMARY KEY (minute, name, labels, bucket))`,
          `CREATE TABLE spans (span_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, parent_id TEXT, name TEXT NOT NULL,
            service TEXT NOT NULL, order_id TEXT, start INTEGER NOT NULL, ms REAL NOT NULL, outcome TEXT NOT NULL)`,
          'CREATE INDEX spans_by_order ON spans (order_id, start)',
          'CREATE INDEX spans_by_start ON spans (start)',
          `CREATE TABLE orders (id TEXT PRIMARY KEY, placed_at TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,
            reason TEXT)`,
          'CREATE INDEX orders_by_status ON orders (status, placed_at)',
        ],
      },
    ]);
  }

  /** The minute old rows were last forgotten in (in memory: after a restart it simply prunes again). */
  private prunedIn = -1;

  /** Adds one invocation's points, in one transaction; answers the rows it wrote. */
  record(points: Point[], now = Date.now()): number {
    let written = 0;
    this.ctx.storage.transactionSync(() => {
      for (const point of points) written += this.add(point, now);
      // Forgetting is due once a minute at most, not with every write: the object takes every Worker's writes.
      if (minuteOf(now) !== this.prunedIn) {
        this.prunedIn = minuteOf(now);
        this.sql.exec('DELETE FROM counters WHERE minute < ?', minuteOf(now) - KEEP_MINUTES);
        this.sql.exec('DELETE FROM histograms WHERE minute < ?', minuteOf(now) - KEEP_MINUTES);
        this.sql.exec('DELETE FROM spans WHERE start < ?', now - KEEP_SPANS_MS);
      }
    });
    return written;
  }

  private add(point: Point, now: number): number {
    switch (point.kind) {
      case 'count':
        return this.addCount(point.name, point.labels, point.value, now);
      case 'observe':
        return this.addObservation(point.name, point.labels, point.value, now);
      case 'span':
        return this.addSpan(point.span);
      case 'milestone':
        return this.addMilestone(point.milestone, now);
      default: {
        const _: never = point;
        return _;
      }
    }
  }

  private addCount(name: string, labels: Labels, value: number, now: number): number {
    return this.sql.exec(
      `INSERT INTO counters (minute, name, labels, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (minute, name, labels) DO UPDATE SET value = value + excluded.value`,
      minuteOf(now),
      name,
      key(labels),
      value,
    ).rowsWritten;
  }

  private addObservation(name: string, labels: Labels, value: number, now: number): number {
    return this.sql.exec(
      `INSERT INTO histograms (minute, name, labels, bucket, n, sum) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (minute, name, labels, bucket) DO UPDATE SET n = n + 1, sum = sum + excluded.sum`,
      minuteOf(now),
      name,
      key(labels),
      bucketOf(value),
      value,
    ).rowsWritten;
  }

  private addSpan(s: Span): number {
    return this.sql.exec(
      `INSERT OR IGNORE INTO spans (span_id, trace_id, parent_id, name, service, order_id, start, ms, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.spanId,
      s.traceId,
      s.parentId,
      s.name,
      s.service,
      s.orderId,
      s.start,
      s.ms,
      s.outcome,
    ).rowsWritten;
  }

  /**
   * Moves an order forward (never back: events arrive in any order) and, the first time it
   * settles, counts the saga's latency and outcome, so a redelivered event counts once.
   */
  private addMilestone(m: Milestone, now: number): number {
    const before = this.sql.exec<{ status: string }>('SELECT status FROM orders WHERE id = ?', m.orderId).toArray()[0]?.status;
    if (before !== undefined && (RANK[before] ?? 0) >= (RANK[m.status] ?? 0)) return 0;
    let written = this.sql.exec(
      `INSERT INTO orders (id, placed_at, status, at, reason) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, at = excluded.at, reason = coalesce(excluded.reason, reason)`,
      m.orderId,
      m.placedAt,
      m.status,
      m.at,
      m.reason,
    ).rowsWritten;
    if (m.status === 'pending') written += this.addCount('orders_placed_total', {}, 1, now);
    if (SETTLED.has(m.status) && !(before && SETTLED.has(before))) {
      const ms = Math.max(0, Date.parse(m.at) - Date.parse(m.placedAt));
      written += this.addObservation('saga_ms', { outcome: m.status }, ms, now);
      written += this.addCount('saga_outcomes_total', { outcome: m.status, reason: m.reason ?? m.status }, 1, now);
    }
    return written;
  }

  /** The aggregates of the last `window`; queue backlogs are filled in by the caller, which can ask the queues. */
  report(window: MetricsWindow, now = Date.now()): MetricsReport {
    const since = minuteOf(now) - WINDOW_MINUTES[window] + 1;
    return buildReport(window, since, now, {
      counters: this.sql
        .exec<Counter>('SELECT name, labels, sum(value) AS value FROM counters WHERE minute >= ? GROUP BY name, labels', since)
        .toArray(),
      buckets: this.sql
        .exec<Bucket>(
          'SELECT name, labels, bucket, sum(n) AS n, sum(sum) AS sum FROM histograms WHERE minute >= ? GROUP BY name, labels, bucket',
          since,
        )
        .toArray(),
      minutes: this.sql
        .exec<MinuteCount>(
          `SELECT minute, name, labels, sum(value) AS value FROM counters
           WHERE minute >= ? AND name IN ('events_total', 'saga_outcomes_total') GROUP BY minute, name, labels ORDER BY minute`,
          since,
        )
        .toArray(),
      byStatus: Object.fromEntries(
        this.sql
          .exec<{ status: string; n: number }>('SELECT status, count(*) AS n FROM orders GROUP BY status')
          .toArray()
          .map((r) => [r.status, r.n]),
      ),
      stuck: this.sql
        .exec<{ id: string; placed_at: string }>(
          "SELECT id, placed_at FROM orders WHERE status = 'pending' AND placed_at < ? ORDER BY placed_at LIMIT 50",
          new Date(now - STUCK_AFTER_SECONDS * 1000).toISOString(),
        )
        .toArray()
        .map((r) => ({ orderId: r.id, placedAt: r.placed_at, ageSeconds: Math.round((now - Date.parse(r.placed_at)) / 1000) })),
      recent: this.sql
        .exec<{ id: string; status: string; placed_at: string; reason: string | null }>(
          'SELECT id, status, placed_at, reason FROM orders ORDER BY placed_at DESC LIMIT 20',
        )
        .toArray()
        .map((r) => ({ orderId: r.id, status: r.status, placedAt: r.placed_at, reason: r.reason })),
    });
  }

  /** Every counter and histogram since the store began (Prometheus wants monotonic totals). */
  totals(): { counters: Counter[]; buckets: Bucket[] } {
    return {
      counters: this.sql.exec<Counter>('SELECT name, labels, sum(value) AS value FROM counters GROUP BY name, labels').toArray(),
      buckets: this.sql
        .exec<Bucket>('SELECT name, labels, bucket, sum(n) AS n, sum(sum) AS sum FROM histograms GROUP BY name, labels, bucket')
        .toArray(),
    };
  }

  /** The spans of one order, oldest first. */
  spans(orderId: string): SpanView[] {
    return this.sql
      .exec<{
        span_id: string;
        trace_id: string;
        parent_id: string | null;
        name: string;
        service: string;
        start: number;
        ms: number;
        outcome: string;
      }>(SPANS_OF_ORDER, orderId)
      .toArray()
      .map((r) => ({
        traceId: r.trace_id,
        spanId: r.span_id,
        parentId: r.parent_id,
        name: r.name,
        service: r.service,
        start: new Date(r.start).toISOString(),
        ms: r.ms,
        outcome: r.outcome,
      }));
  }
}
