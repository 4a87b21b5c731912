import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { endTime, startTime } from 'hono/timing';
import { readConsistencyToken, signConsistencyToken } from '../../../shared/consistency';
import { AppError, unwrap } from '../../../shared/errors';
import { hopsOf } from '../../../shared/metrics-api';
import { type AppEnv, metricsService, services } from '../context';
import { errors, json, ListOrdersQuery, Order, OrderList, PlacedOrder, PlaceOrderBody, Timeline } from '../schemas';
import { assertKnownOrder, rememberOrder } from '../storage-guard';
import { boundedWait } from '../waits';

const security = [{ customer: [] }];
const OrderId = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, format: 'uuid' }) });

const placeOrder = createRoute({
  method: 'post',
  path: '/v1/orders',
  tags: ['orders'],
  summary: 'Place an order',
  description: 'Prices come from the catalog. Answers at once with the pending order; the saga runs behind it.',
  security,
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
        .optional()
        .openapi({ description: 'Retry safely: the same key and body answer the first response again (kept 7 days).' }),
    }),
    body: { content: json(PlaceOrderBody), required: true },
  },
  responses: {
    202: { description: 'Accepted; follow `Location`', content: json(PlacedOrder) },
    ...errors(400, 401, 409, 413, 422, 429, 503),
  },
});

const cancelOrder = createRoute({
  method: 'post',
  path: '/v1/orders/{id}/cancel',
  tags: ['orders'],
  summary: 'Cancel the order (until its parcel has left)',
  description:
    'A pending order is cancelled at once (`status: "cancelled"`): stock released, authorization voided. For a confirmed ' +
    'order the cancellation is a request to shipping, which alone knows whether the parcel has left: the answer is the ' +
    'order with `cancellation: "requested"`; shipping then calls the shipment off (the order becomes `cancelled`, payment ' +
    'refunded or voided, stock returned) or refuses (`cancellation: "refused"`, the order goes on). `409 not_cancellable` ' +
    'once the order is shipped. Cancelling again answers the order as it stands.',
  security,
  request: { params: OrderId },
  responses: {
    202: { description: 'Cancelled, or cancellation requested of shipping', content: json(Order) },
    ...errors(401, 404, 409, 429),
  },
});

const getOrder = createRoute({
  method: 'get',
  path: '/v1/orders/{id}',
  tags: ['orders'],
  summary: 'The order now (strongly consistent)',
  security,
  request: { params: OrderId },
  responses: { 200: { description: 'The order', content: json(Order) }, ...errors(401, 404) },
});

const listOrders = createRoute({
  method: 'get',
  path: '/v1/orders',
  tags: ['orders'],
  summary: "The caller's orders, newest first (read model)",
  security,
  request: { query: ListOrdersQuery },
  responses: { 200: { description: 'A page of orders and how fresh it is', content: json(OrderList) }, ...errors(400, 401) },
});

const orderTimeline = createRoute({
  method: 'get',
  path: '/v1/orders/{id}/timeline',
  tags: ['orders'],
  summary: 'Every event of the order across services, in order',
  security,
  request: { params: OrderId },
  responses: { 200: { description: 'The timeline', content: json(Timeline) }, ...errors(401, 404) },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const orderNotFound = () => new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });

/** The caller's own order; another customer's order, or an unknown id, is reported as not found. */
async function ownOrder(c: Context<AppEnv>, id: string) {
  if (!UUID.test(id)) throw orderNotFound();
  await assertKnownOrder(c, id);
  const order = unwrap(await services(c.env).orders.getOrder(id));
  if (order.customerId !== c.get('customerId')) throw orderNotFound();
  return order;
}

/** The order's hops from its recorded spans; none when the metrics store cannot answer (it never fails the timeline). */
async function orderHops(env: Env, orderId: string) {
  try {
    const spans = await metricsService(env).spans(orderId);
    return spans.ok ? hopsOf(spans.value) : [];
  } catch {
    return [];
  }
}

export function registerOrders(app: OpenAPIHono<AppEnv>) {
  app.openapi(placeOrder, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    startTime(c, 'orders');
    const placed = await services(c.env).orders.placeOrder(c.get('customerId'), c.req.valid('json'), c.get('traceparent'), key);
    endTime(c, 'orders');
    const { order, replayed } = unwrap(placed);
    c.set('orderId', order.id);
    rememberOrder(c.get('customerId'), order.id);
    const token = await signConsistencyToken(
      c.get('config').consistencySecret,
      { orderId: order.id, version: order.version },
      c.get('customerId'),
    );
    c.header('Location', `/v1/orders/${order.id}`);
    c.header('Consistency-Token', token);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ ...order, consistencyToken: token }, 202);
  });

  app.openapi(cancelOrder, async (c) => {
    const order = await ownOrder(c, c.req.valid('param').id);
    return c.json(unwrap(await services(c.env).orders.cancelOrder(order.id, c.get('traceparent'))), 202);
  });

  app.openapi(getOrder, async (c) => c.json(await ownOrder(c, c.req.valid('param').id), 200));

  app.openapi(listOrders, async (c) => {
    const { consistencyToken, ...query } = c.req.valid('query');
    const customerId = c.get('customerId');
    const awaitWrite =
      consistencyToken && (await readConsistencyToken(c.get('config').consistencySecret, consistencyToken, customerId));
    const list = async () =>
      unwrap(await services(c.env).query.listOrders({ customerId, ...query, awaitWrite: awaitWrite || undefined }));
    const page = await (awaitWrite ? boundedWait(c, `customer:${customerId}`, list) : list());
    return c.json(page, 200);
  });

  app.openapi(orderTimeline, async (c) => {
    const id = c.req.valid('param').id;
    if (!UUID.test(id)) throw orderNotFound();
    await assertKnownOrder(c, id);
    const [timeline, hops] = await Promise.all([services(c.env).query.timeline(id), orderHops(c.env, id)]);
    return c.json({ ...unwrap(timeline), hops }, 200);
  });
}
