import { BUCKETS_MS, type Labels, quantile } from '../../shared/metrics';
import type { MetricsReport, MetricsWindow } from '../../shared/metrics-api';
import { type BillableOp, costPerMillionOrders, PRICES } from '../../shared/prices';

/** A pending order older than this is stuck: past the saga's own deadline (timeout × (nudges + 1)) with room to spare. */
export const STUCK_AFTER_SECONDS = 120;

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);
/** Labels as one key: sorted, so the same series is always the same row. */
export const key = (labels: Labels) =>
  JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));

/** A counter's sum over the window, per series (`labels` is {@link key}). */
export type Counter = { name: string; labels: string; value: number };
/** A histogram bucket's count over the window, per series. */
export type Bucket = { name: string; labels: string; bucket: number; n: number; sum: number };
/** A counter's sum in one minute (epoch minutes). */
export type MinuteCount = { minute: number; name: string; labels: string; value: number };

/** What a store read for a window; {@link buildReport} turns it into the report, whichever store it came from. */
export interface WindowData {
  counters: Counter[];
  buckets: Bucket[];
  /** `events_total` and `saga_outcomes_total` per minute. */
  minutes: MinuteCount[];
  byStatus: Record<string, number>;
  stuck: MetricsReport['saga']['stuck'];
  recent: MetricsReport['saga']['recent'];
}

/**
 * The report of one window from counters, histograms and orders, as the local MetricsDO and
 * Analytics Engine both answer them. Queue backlogs are filled in by the caller, which can ask
 * the queues.
 */
export function buildReport(window: MetricsWindow, since: number, now: number, data: WindowData): MetricsReport {
  const { counters, buckets } = data;
  /** A counter's series: its labels (any may be missing) and its value. */
  type Series = { labels: Partial<Labels>; value: number };
  const of = (name: string): Series[] =>
    counters.filter((c) => c.name === name).map((c) => ({ labels: JSON.parse(c.labels) as Labels, value: c.value }));
  const histogram = (name: string, match: (labels: Labels) => boolean) => {
    const counts = new Array<number>(BUCKETS_MS.length + 1).fill(0);
    for (const b of buckets) if (b.name === name && match(JSON.parse(b.labels))) counts[b.bucket]! += b.n;
    const count = counts.reduce((a, b) => a + b, 0);
    const q = (p: number) => {
      const v = quantile(p, counts);
      return v === null ? null : Math.round(v);
    };
    return { count, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  };

  const services = new Map<string, MetricsReport['services'][number]>();
  for (const c of of('events_total')) {
    const id = `${c.labels.service}\n${c.labels.type}`;
    const row = services.get(id) ?? {
      service: c.labels.service!,
      type: c.labels.type!,
      handled: 0,
      ignored: 0,
      retried: 0,
      deadLettered: 0,
      latencyMs: histogram('handler_ms', (l) => l.service === c.labels.service && l.type === c.labels.type),
    };
    const field = ({ handled: 'handled', ignored: 'ignored', retried: 'retried', 'dead-lettered': 'deadLettered' } as const)[
      c.labels.outcome as 'handled'
    ];
    if (field) row[field] += c.value;
    services.set(id, row);
  }

  const queues = new Map<string, MetricsReport['queues'][number]>();
  for (const c of of('queue_messages_total')) {
    const row = queues.get(c.labels.queue!) ?? {
      queue: c.labels.queue!,
      sent: 0,
      delivered: 0,
      backlog: null,
      oldestAgeSeconds: null,
    };
    if (c.labels.op === 'sent') row.sent += c.value;
    if (c.labels.op === 'delivered') row.delivered += c.value;
    queues.set(c.labels.queue!, row);
  }

  const placed = of('orders_placed_total').reduce((n, c) => n + c.value, 0);
  const billable: Partial<Record<BillableOp, number>> = {};
  for (const c of of('billable_total'))
    billable[c.labels.op as BillableOp] = (billable[c.labels.op as BillableOp] ?? 0) + c.value;
  const perOrder = Object.fromEntries(Object.entries(billable).map(([op, n]) => [op, placed > 0 ? n / placed : 0]));

  const perMinute = new Map<number, { minute: string; events: number; confirmed: number; cancelled: number }>();
  for (const r of data.minutes) {
    const row = perMinute.get(r.minute) ?? {
      minute: new Date(r.minute * 60_000).toISOString(),
      events: 0,
      confirmed: 0,
      cancelled: 0,
    };
    const labels = JSON.parse(r.labels) as Labels;
    if (r.name === 'events_total') row.events += r.value;
    else if (labels.outcome === 'confirmed') row.confirmed += r.value;
    else if (labels.outcome === 'cancelled') row.cancelled += r.value;
    perMinute.set(r.minute, row);
  }

  return {
    window,
    from: new Date(since * 60_000).toISOString(),
    to: new Date(now).toISOString(),
    services: [...services.values()].sort((a, b) => a.service.localeCompare(b.service) || a.type.localeCompare(b.type)),
    queues: [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)),
    saga: {
      placed,
      latencyMs: {
        confirmed: histogram('saga_ms', (l) => l.outcome === 'confirmed'),
        cancelled: histogram('saga_ms', (l) => l.outcome === 'cancelled'),
      },
      outcomes: of('saga_outcomes_total').map((c) => ({ outcome: c.labels.outcome!, reason: c.labels.reason!, count: c.value })),
      byStatus: data.byStatus,
      stuck: data.stuck,
      recent: data.recent,
    },
    billable: {
      orders: placed,
      perOrder: Object.fromEntries(Object.entries(perOrder).map(([op, n]) => [op, Math.round(n * 100) / 100])),
      costPerMillionOrdersUsd: costPerMillionOrders(perOrder),
      pricesAsOf: PRICES.asOf,
    },
    series: [...perMinute.values()].sort((a, b) => a.minute.localeCompare(b.minute)),
  };
}
