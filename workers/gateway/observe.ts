import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Meter, traceOf } from '../../shared/metrics';
import { type AppEnv, executionContext } from './context';

/**
 * Records each API write (and each failed read): a span in the request's trace (the parent of the events it causes),
 * its status, and its billable operations. Written after the answer, so it never delays it.
 *
 * @example
 * app.use('/v1/*', observeRequests());
 */
export function observeRequests(): MiddlewareHandler<AppEnv> {
  return async function observeRequests(c, next) {
    const start = Date.now();
    await next();
    // Reads are many (clients and the dashboard poll) and change nothing: count writes and failures only.
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && c.res.status < 500) return;
    const meter = new Meter(c.env, 'gateway', executionContext(c));
    // The matched route, not the URL: `/v1/orders/:id`, so series stay few.
    const route = routePath(c, -1);
    meter.count('requests_total', { method: c.req.method, route, status: String(c.res.status) });
    meter.observe('request_ms', { method: c.req.method, route }, Date.now() - start);
    meter.count('billable_total', { op: 'invocation' });
    // Placing and cancelling an order is one call to its Durable Object.
    if (c.req.method === 'POST' && route.startsWith('/v1/orders')) meter.count('billable_total', { op: 'do_request' });
    const trace = traceOf(c.get('traceparent'));
    if (trace) {
      meter.span({
        traceId: trace.traceId,
        spanId: trace.spanId,
        // The caller's span, when it sent a valid traceparent (this request's trace continues it).
        parentId: parentOf(c.req.header('traceparent'), trace.traceId),
        name: `${c.req.method} ${route}`,
        // Named by the handler; or, for a request that succeeded (so the caller may act on the
        // order), from its path: a failed request names no order it could not reach.
        orderId: c.get('orderId') ?? (c.res.status < 400 ? orderInPath(c.req.path, route) : null),
        start,
        ms: Date.now() - start,
        // A repeated POST answered from its Idempotency-Key is told apart from the one that placed the order.
        outcome: c.res.headers.has('idempotent-replayed') ? `${c.res.status} replayed` : String(c.res.status),
      });
    }
    await meter.flush();
  };
}

/** The order a route with an `:id` acts on (`/v1/orders/:id…`, `/v1/admin/orders/:id…`), from the path. */
function orderInPath(path: string, route: string): string | null {
  const match = /^\/v1\/(admin\/)?orders\/:id/.exec(route);
  if (!match) return null;
  return path.split('/')[match[1] ? 4 : 3] ?? null;
}

/** The span id of the caller's `traceparent`, when it belongs to this trace. */
function parentOf(incoming: string | undefined, traceId: string): string | null {
  const parent = traceOf(incoming);
  return parent?.traceId === traceId ? parent.spanId : null;
}
