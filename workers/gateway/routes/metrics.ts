import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import { Hop, hopsOf, MetricsReport, MetricsWindow, SpanView } from '../../../shared/metrics-api';
import { operatorRoute } from '../auth';
import { type AppEnv, metricsService } from '../context';
import { errors, json } from '../schemas';

const tags = ['metrics'];

const routes = {
  metrics: createRoute({
    method: 'get',
    path: '/v1/admin/metrics',
    tags,
    summary: 'Rates, latency, queues, saga outcomes and cost per order over a window',
    description:
      'Counted where things happen (shared/metrics.ts). Queue backlogs are live; the rest covers the window. Under wrangler dev this reads the local store; in production Analytics Engine through its SQL API (503 metrics_unavailable until the router has ANALYTICS_ACCOUNT_ID and ANALYTICS_API_TOKEN).',
    ...operatorRoute('read', 'metrics.read'),
    request: { query: z.object({ window: MetricsWindow.default('15m') }) },
    responses: {
      200: { description: 'The aggregates', content: json(MetricsReport.openapi('Metrics')) },
      ...errors(400, 401, 503),
    },
  }),
  prometheus: createRoute({
    method: 'get',
    path: '/v1/admin/metrics/prometheus',
    tags,
    summary: 'Every counter, histogram and queue gauge in the Prometheus text format',
    ...operatorRoute('read', 'metrics.prometheus'),
    responses: {
      200: { description: 'Prometheus text exposition 0.0.4', content: { 'text/plain': { schema: z.string() } } },
      ...errors(401, 503),
    },
  }),
  trace: createRoute({
    method: 'get',
    path: '/v1/admin/orders/{id}/trace',
    tags,
    summary: "An order's spans and its hops across services (the waterfall)",
    ...operatorRoute('read', 'order.trace'),
    request: {
      params: z.object({
        id: z
          .string()
          .max(100)
          .openapi({ param: { name: 'id', in: 'path' } }),
      }),
    },
    responses: {
      200: {
        description: 'Spans oldest first, and per event: time to the router, then wait and handler time per consumer',
        content: json(z.object({ spans: z.array(SpanView), hops: z.array(Hop) }).openapi('OrderTrace')),
      },
      ...errors(401),
    },
  }),
};

export function registerMetrics(app: OpenAPIHono<AppEnv>) {
  app.openapi(routes.metrics, async (c) => c.json(unwrap(await metricsService(c.env).report(c.req.valid('query').window)), 200));

  app.openapi(routes.prometheus, async (c) =>
    c.text(unwrap(await metricsService(c.env).prometheus()), 200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  );

  app.openapi(routes.trace, async (c) => {
    const spans = unwrap(await metricsService(c.env).spans(c.req.valid('param').id));
    return c.json({ spans, hops: hopsOf(spans) }, 200);
  });
}
