import { AppError } from '../../shared/errors';
import { bucketOf, type Labels } from '../../shared/metrics';
import { type MetricsReport, type MetricsWindow, type SpanView, WINDOW_MINUTES } from '../../shared/metrics-api';
import { type Bucket, buildReport, type Counter, key, type MinuteCount, minuteOf, STUCK_AFTER_SECONDS } from './metrics-report';

/**
 * Metrics in production: the points every Worker wrote with `writeDataPoint` (shared/metrics.ts
 * `dataPoint`: index1 = metric, blob1 = kind, blob2… = `key=value` labels, double1 = value), read
 * back through Analytics Engine's SQL API and folded into the same report the local store answers.
 * Analytics Engine samples at high volume; every sum is weighted by `_sample_interval`.
 */

export const DATASET = 'conveyor_metrics';
/** Label blobs read back: a point has its service and at most four more labels. */
const LABEL_BLOBS = ['blob2', 'blob3', 'blob4', 'blob5', 'blob6'] as const;
/** Milestones read per window: enough for the dashboard's lists; counts above this are sampled. */
const MILESTONE_ROWS = 10_000;

export interface AnalyticsEngine {
  accountId: string;
  token: string;
  /** The SQL API's fetch (a test passes a local fake). */
  fetch?: typeof fetch;
}

type Row = Record<string, string | number | null>;

/** Runs one query; answers its rows. */
async function query(ae: AnalyticsEngine, sql: string): Promise<Row[]> {
  const url = `https://api.cloudflare.com/client/v4/accounts/${ae.accountId}/analytics_engine/sql`;
  let response: Response;
  try {
    response = await (ae.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${ae.token}` },
      body: `${sql} FORMAT JSON`,
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw unavailable('the Analytics Engine SQL API could not be reached');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unavailable(`the Analytics Engine SQL API answered ${response.status}`);
  }
  return ((await response.json()) as { data?: Row[] }).data ?? [];
}

const unavailable = (why: string) => new AppError({ code: 'metrics_unavailable', message: why, status: 503 });

/** The labels of a row whose blob2… hold `key=value` pairs. */
function labelsOf(row: Row): Labels {
  const labels: Labels = {};
  for (const blob of LABEL_BLOBS) {
    const pair = String(row[blob] ?? '');
    const at = pair.indexOf('=');
    if (at > 0) labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

/** An Analytics Engine timestamp (`2026-11-29 10:15:00`, UTC) in epoch milliseconds. */
const epochOf = (timestamp: unknown) => Date.parse(`${String(timestamp).replace(' ', 'T')}Z`);

const RANK: Record<string, number> = { pending: 0, confirmed: 1, cancelled: 1, shipped: 2, delivered: 3 };

/** The queries of one window, by name (exported so a test can see what is asked). */
export function windowQueries(window: MetricsWindow) {
  const since = `timestamp > NOW() - INTERVAL '${WINDOW_MINUTES[window]}' MINUTE`;
  const labels = LABEL_BLOBS.join(', ');
  return {
    counters: `SELECT index1 AS name, ${labels}, SUM(_sample_interval * double1) AS value FROM ${DATASET}
      WHERE blob1 = 'count' AND ${since} GROUP BY name, ${labels}`,
    minutes: `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute, index1 AS name, ${labels},
      SUM(_sample_interval * double1) AS value FROM ${DATASET}
      WHERE blob1 = 'count' AND index1 = 'events_total' AND ${since} GROUP BY minute, name, ${labels}`,
    observations: `SELECT index1 AS name, ${labels}, double1 AS value, SUM(_sample_interval) AS n FROM ${DATASET}
      WHERE blob1 = 'observe' AND ${since} GROUP BY name, ${labels}, value`,
    milestones: `SELECT blob2 AS status, blob3 AS reason, blob4 AS order_id, double1 AS ms, timestamp FROM ${DATASET}
      WHERE index1 = 'saga' AND ${since} ORDER BY timestamp DESC LIMIT ${MILESTONE_ROWS}`,
  };
}

/** Rows of one series summed into one (`value`, or a bucket's `n` and `sum`). */
function summed<T extends { value?: number; n?: number; sum?: number }>(rows: T[], id: (row: T) => string): T[] {
  const out = new Map<string, T>();
  for (const row of rows) {
    const seen = out.get(id(row));
    if (!seen) out.set(id(row), { ...row });
    else
      for (const k of ['value', 'n', 'sum'] as const)
        if (row[k] !== undefined) seen[k] = ((seen[k] ?? 0) + row[k]) as T[typeof k];
  }
  return [...out.values()];
}

/** The report of `window`, from Analytics Engine. */
export async function analyticsEngineReport(
  ae: AnalyticsEngine,
  window: MetricsWindow,
  now = Date.now(),
): Promise<MetricsReport> {
  const q = windowQueries(window);
  const [counterRows, minuteRows, observationRows, milestoneRows] = await Promise.all([
    query(ae, q.counters),
    query(ae, q.minutes),
    query(ae, q.observations),
    query(ae, q.milestones),
  ]);
  const counters: Counter[] = counterRows.map((r) => ({
    name: String(r.name),
    labels: key(labelsOf(r)),
    value: Number(r.value),
  }));
  const minutes: MinuteCount[] = minuteRows.map((r) => ({
    minute: minuteOf(epochOf(r.minute)),
    name: String(r.name),
    labels: key(labelsOf(r)),
    value: Number(r.value),
  }));
  const buckets: Bucket[] = observationRows.map((r) => ({
    name: String(r.name),
    labels: key(labelsOf(r)),
    bucket: bucketOf(Number(r.value)),
    n: Number(r.n),
    sum: Number(r.value) * Number(r.n),
  }));

  // The saga, from each order's milestones (newest first): what the local store keeps per order.
  const orders = new Map<string, { status: string; placedAt: number; reason: string | null }>();
  for (const r of milestoneRows) {
    const at = epochOf(r.timestamp);
    const status = String(r.status);
    const reason = r.reason ? String(r.reason) : null;
    const minute = minuteOf(at);
    if (status === 'pending') counters.push({ name: 'orders_placed_total', labels: key({}), value: 1 });
    if (status === 'confirmed' || status === 'cancelled') {
      const labels = key({ outcome: status });
      buckets.push({ name: 'saga_ms', labels, bucket: bucketOf(Number(r.ms)), n: 1, sum: Number(r.ms) });
      counters.push({ name: 'saga_outcomes_total', labels: key({ outcome: status, reason: reason ?? status }), value: 1 });
      minutes.push({ minute, name: 'saga_outcomes_total', labels, value: 1 });
    }
    const order = String(r.order_id);
    const known = orders.get(order);
    if (!known || (RANK[status] ?? 0) > (RANK[known.status] ?? 0)) {
      orders.set(order, { status, placedAt: at - Number(r.ms), reason: reason ?? known?.reason ?? null });
    }
  }
  const byStatus: Record<string, number> = {};
  for (const o of orders.values()) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const list = [...orders.entries()].map(([orderId, o]) => ({ orderId, ...o }));
  const since = minuteOf(now) - WINDOW_MINUTES[window] + 1;
  return buildReport(window, since, now, {
    counters: summed(counters, (c) => `${c.name}\n${c.labels}`),
    buckets: summed(buckets, (b) => `${b.name}\n${b.labels}\n${b.bucket}`),
    minutes: summed(minutes, (m) => `${m.minute}\n${m.name}\n${m.labels}`),
    byStatus,
    stuck: list
      .filter((o) => o.status === 'pending' && now - o.placedAt > STUCK_AFTER_SECONDS * 1000)
      .sort((a, b) => a.placedAt - b.placedAt)
      .slice(0, 50)
      .map((o) => ({
        orderId: o.orderId,
        placedAt: new Date(o.placedAt).toISOString(),
        ageSeconds: Math.round((now - o.placedAt) / 1000),
      })),
    recent: list
      .sort((a, b) => b.placedAt - a.placedAt)
      .slice(0, 20)
      .map((o) => ({ orderId: o.orderId, status: o.status, placedAt: new Date(o.placedAt).toISOString(), reason: o.reason })),
  });
}

/** The spans of one order (a day back), oldest first. */
export async function analyticsEngineSpans(ae: AnalyticsEngine, orderId: string): Promise<SpanView[]> {
  // The id goes into the SQL text: only an id's own characters are let through.
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(orderId)) return [];
  const rows = await query(
    ae,
    `SELECT blob2 AS trace_id, blob3 AS span_id, blob4 AS parent_id, blob5 AS name, blob6 AS service, blob8 AS outcome,
      double1 AS ms, double2 AS start FROM ${DATASET}
      WHERE index1 = 'span' AND blob7 = '${orderId}' AND timestamp > NOW() - INTERVAL '1' DAY ORDER BY start LIMIT 500`,
  );
  return rows.map((r) => ({
    traceId: String(r.trace_id),
    spanId: String(r.span_id),
    parentId: r.parent_id ? String(r.parent_id) : null,
    name: String(r.name),
    service: String(r.service),
    start: new Date(Number(r.start)).toISOString(),
    ms: Number(r.ms),
    outcome: String(r.outcome),
  }));
}
