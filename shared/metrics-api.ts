import * as z from 'zod';
import type { Reply } from './errors';

/** `?window=` of the metrics: how far back the aggregates look. */
export const MetricsWindow = z.enum(['5m', '15m', '1h', '6h', '24h', '7d']);
export type MetricsWindow = z.infer<typeof MetricsWindow>;

export const WINDOW_MINUTES: Record<MetricsWindow, number> = {
  '5m': 5,
  '15m': 15,
  '1h': 60,
  '6h': 360,
  '24h': 1440,
  '7d': 10_080,
};

const Quantiles = z.object({
  count: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** The aggregates the metrics store answers, declared once for the RPC, the gateway and the dashboard. */
export const MetricsReport = z.object({
  window: MetricsWindow,
  from: z.string(),
  to: z.string(),
  services: z.array(
    z.object({
      service: z.string(),
      type: z.string(),
      handled: z.number(),
      ignored: z.number(),
      retried: z.number(),
      deadLettered: z.number(),
      latencyMs: Quantiles,
    }),
  ),
  queues: z.array(
    z.object({
      queue: z.string(),
      sent: z.number(),
      delivered: z.number(),
      backlog: z.number().nullable(),
      oldestAgeSeconds: z.number().nullable(),
    }),
  ),
  saga: z.object({
    placed: z.number(),
    latencyMs: z.object({ confirmed: Quantiles, cancelled: Quantiles }),
    outcomes: z.array(z.object({ outcome: z.string(), reason: z.string(), count: z.number() })),
    byStatus: z.record(z.string(), z.number()),
    stuck: z.array(z.object({ orderId: z.string(), placedAt: z.string(), ageSeconds: z.number() })),
    recent: z.array(z.object({ orderId: z.string(), status: z.string(), placedAt: z.string(), reason: z.string().nullable() })),
  }),
  billable: z.object({
    orders: z.number(),
    perOrder: z.record(z.string(), z.number()),
    costPerMillionOrdersUsd: z.number(),
    pricesAsOf: z.string(),
  }),
  series: z.array(z.object({ minute: z.string(), events: z.number(), confirmed: z.number(), cancelled: z.number() })),
});
export type MetricsReport = z.infer<typeof MetricsReport>;

export const SpanView = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  service: z.string(),
  start: z.string(),
  ms: z.number(),
  outcome: z.string(),
});
export type SpanView = z.infer<typeof SpanView>;

/** The metrics store as the gateway reaches it (the router's `MetricsService`). */
export interface MetricsRpc extends Rpc.WorkerEntrypointBranded {
  report(window: MetricsWindow): Promise<Reply<MetricsReport>>;
  prometheus(): Promise<Reply<string>>;
  spans(orderId: string): Promise<Reply<SpanView[]>>;
}

/** One event's hop: from its publisher to the router, then to each consumer (wait in the queue, then the handler). */
export const Hop = z.object({
  type: z.string(),
  source: z.string(),
  publishedAt: z.string(),
  routedMs: z.number().nullable(),
  deliveries: z.array(
    z.object({ service: z.string(), startedAt: z.string(), waitMs: z.number(), handlerMs: z.number(), outcome: z.string() }),
  ),
});
export type Hop = z.infer<typeof Hop>;

/** The hops of an order, from its spans: each publish span with the consume spans under it. */
export function hopsOf(spans: readonly SpanView[]): Hop[] {
  return spans
    .filter((s) => s.name.startsWith('publish '))
    .map((p) => ({
      type: p.name.slice('publish '.length),
      source: p.service,
      publishedAt: p.start,
      routedMs: Math.round(p.ms),
      deliveries: spans
        .filter((s) => s.parentId === p.spanId)
        .map((s) => ({
          service: s.service,
          startedAt: s.start,
          waitMs: Math.max(0, Date.parse(s.start) - Date.parse(p.start)),
          handlerMs: Math.round(s.ms),
          outcome: s.outcome,
        })),
    }));
}
