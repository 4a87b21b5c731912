import type { Event } from './events';

/**
 * Metrics and spans, counted where things happen. A `Meter` collects the points of one
 * invocation and `flush()` writes them: to Workers Analytics Engine (`ANALYTICS`, one data point
 * each) in production, and to the router's MetricsDO through the `METRICS` service binding when
 * `METRICS_STORE` is `local` (under `wrangler dev` Analytics Engine keeps nothing).
 */

/** Label values of one series, e.g. `{ service: 'inventory', type: 'order.placed' }`. */
export type Labels = Record<string, string>;

export interface Span {
  traceId: string;
  spanId: string;
  parentId: string | null;
  name: string;
  service: string;
  /** The order the span belongs to, when it belongs to one (the event's subject). */
  orderId: string | null;
  start: number;
  ms: number;
  outcome: string;
}

/** An order's milestone, as the router sees it pass: the store dedups by order id. */
export interface Milestone {
  orderId: string;
  status: string;
  placedAt: string;
  at: string;
  reason: string | null;
}

export type Point =
  | { kind: 'count'; name: string; labels: Labels; value: number }
  | { kind: 'observe'; name: string; labels: Labels; value: number }
  | { kind: 'span'; span: Span }
  | { kind: 'milestone'; milestone: Milestone };

/** What the metrics store offers over RPC (the router's `MetricsService`). */
export interface MetricsSink {
  record(points: Point[]): Promise<void>;
}

/** The bindings a Worker needs to write metrics; all optional, so a Worker without them counts nothing. */
export interface MetricsEnv {
  ANALYTICS?: AnalyticsEngineDataset;
  METRICS?: unknown;
  METRICS_STORE?: string;
}

const sameLabels = (a: Labels, b: Labels) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

/** Histogram bucket bounds in milliseconds (upper bounds; +Inf is implied). */
export const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000] as const;

/**
 * One invocation's points, written together by {@link Meter.flush}.
 *
 * @example
 * const meter = new Meter(env, 'inventory');
 * meter.count('events_total', { type: 'order.placed', outcome: 'handled' });
 * ctx.waitUntil(meter.flush());
 */
export class Meter {
  private points: Point[] = [];

  /**
   * With `ctx`, {@link flush} hands the write to `ctx.waitUntil` and returns at once, so counting
   * never holds up the batch or the answer it counts.
   */
  constructor(
    private readonly env: MetricsEnv,
    readonly service: string,
    private readonly ctx?: { waitUntil(promise: Promise<unknown>): void },
  ) {}

  /** Adds to a counter; counts of one series before a flush are one point (one data point, not one per call). */
  count(name: string, labels: Labels = {}, value = 1): void {
    if (value === 0) return;
    const all = { service: this.service, ...labels };
    const same = this.points.find((p) => p.kind === 'count' && p.name === name && sameLabels(p.labels, all));
    if (same?.kind === 'count') same.value += value;
    else this.points.push({ kind: 'count', name, labels: all, value });
  }

  /** A duration (ms) into the histogram `name`. */
  observe(name: string, labels: Labels, value: number): void {
    this.points.push({ kind: 'observe', name, labels: { service: this.service, ...labels }, value });
  }

  /** A span of this service, or of `service` when the hop is another's (the router records publishers' hops). */
  span(span: Omit<Span, 'service'> & { service?: string }): void {
    this.points.push({ kind: 'span', span: { ...span, service: span.service ?? this.service } });
  }

  milestone(milestone: Milestone): void {
    this.points.push({ kind: 'milestone', milestone });
  }

  /** Writes what was collected; never throws, since metrics must not fail the work they count. */
  async flush(): Promise<void> {
    const points = this.points;
    this.points = [];
    if (points.length === 0) return;
    if (this.ctx) this.ctx.waitUntil(this.write(points));
    else await this.write(points);
  }

  private async write(points: Point[]): Promise<void> {
    try {
      if (this.env.ANALYTICS) for (const p of points) this.env.ANALYTICS.writeDataPoint(dataPoint(p));
      if (this.env.METRICS_STORE === 'local' && this.env.METRICS) await (this.env.METRICS as MetricsSink).record(points);
    } catch (error) {
      console.error(JSON.stringify({ msg: 'metrics not written', service: this.service, error: String(error) }));
    }
  }

  /** The points not yet flushed (for tests). */
  get pending(): readonly Point[] {
    return this.points;
  }
}

/**
 * One Analytics Engine data point: index = metric name, blobs = kind and `key=value` labels,
 * doubles = value (and start for spans). Query with the SQL API, e.g.
 * `SELECT blob3, SUM(_sample_interval * double1) FROM conveyor_metrics WHERE index1 = 'events_total' GROUP BY blob3`.
 */
export function dataPoint(point: Point): AnalyticsEngineDataPoint {
  switch (point.kind) {
    case 'count':
    case 'observe':
      return {
        indexes: [point.name],
        blobs: [point.kind, ...Object.entries(point.labels).map(([k, v]) => `${k}=${v}`)].slice(0, 20),
        doubles: [point.value],
      };
    case 'span': {
      const s = point.span;
      return {
        indexes: ['span'],
        blobs: ['span', s.traceId, s.spanId, s.parentId ?? '', s.name, s.service, s.orderId ?? '', s.outcome],
        doubles: [s.ms, s.start],
      };
    }
    case 'milestone': {
      const m = point.milestone;
      const ms = Date.parse(m.at) - Date.parse(m.placedAt);
      return { indexes: ['saga'], blobs: ['milestone', m.status, m.reason ?? '', m.orderId], doubles: [ms] };
    }
    default: {
      const _: never = point;
      return _;
    }
  }
}

/** The W3C traceparent's trace id and span id. */
export function traceOf(traceparent: string | null | undefined): { traceId: string; spanId: string } | null {
  const parts = traceparent?.split('-');
  return parts?.length === 4 ? { traceId: parts[1]!, spanId: parts[2]! } : null;
}

/** A new random span id (16 hex digits). */
export function newSpanId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Services whose handlers call one Durable Object per message. */
const DO_BACKED = new Set(['orders', 'inventory', 'payments', 'shipping']);

/** How a consumer ended with one message. */
export type Outcome = 'handled' | 'ignored' | 'retried' | 'dead-lettered';

/**
 * Counts one consumed message: its outcome and handler latency per service and event type, the
 * queue delivery, and a span under the event's own span (its `traceparent`).
 */
export function recordConsumed(
  meter: Meter,
  queue: string,
  event: Pick<Event, 'type' | 'subject' | 'traceparent'> | null,
  outcome: Outcome,
  start: number,
): void {
  const ms = Date.now() - start;
  const type = event?.type ?? 'invalid';
  meter.count('events_total', { type, outcome });
  meter.count('queue_messages_total', { queue, op: 'delivered' });
  if (outcome === 'handled') meter.observe('handler_ms', { type }, ms);
  // An approximation: each handled message of these services is one call to its Durable Object.
  if (DO_BACKED.has(meter.service) && outcome !== 'ignored') meter.count('billable_total', { op: 'do_request' });
  const trace = traceOf(event?.traceparent);
  if (trace) {
    meter.span({
      traceId: trace.traceId,
      spanId: newSpanId(),
      parentId: trace.spanId,
      name: `consume ${type}`,
      orderId: event?.subject ?? null,
      start,
      ms,
      outcome,
    });
  }
}

/** The index of the histogram bucket a value falls into (BUCKETS_MS.length = +Inf). */
export function bucketOf(value: number): number {
  const i = BUCKETS_MS.findIndex((le) => value <= le);
  return i === -1 ? BUCKETS_MS.length : i;
}

/**
 * The q-quantile (0–1) of a histogram given per-bucket counts, interpolated within the bucket the
 * way Prometheus' `histogram_quantile` does; null when it is empty.
 */
export function quantile(q: number, counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (seen + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : BUCKETS_MS[i - 1]!;
      const upper = BUCKETS_MS[i] ?? BUCKETS_MS[BUCKETS_MS.length - 1]!;
      if (i === BUCKETS_MS.length) return lower;
      return lower + (upper - lower) * ((rank - seen) / n);
    }
    seen += n;
  }
  return BUCKETS_MS[BUCKETS_MS.length - 1]!;
}
