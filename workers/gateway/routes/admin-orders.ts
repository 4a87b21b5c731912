import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { AdminListQuery, errors, Freshness, json, Order } from '../schemas';

const OrderException = z
  .object({
    orderId: z.string(),
    kind: z.enum(['overdue', 'dispatched_after_cancellation']).openapi({
      description:
        '`overdue`: a step another service owns (capture, shipment, commit, a compensation) stayed unanswered after ' +
        'being asked again; it is still asked for, with backoff. `dispatched_after_cancellation`: the carrier reported ' +
        'a parcel whose shipment had been called off; the order stays cancelled and refunded, and the goods must be recovered.',
    }),
    steps: z.array(z.string()),
    flaggedAt: z.string(),
    status: z.enum(['pending', 'confirmed', 'shipped', 'delivered', 'cancelled']).nullable(),
  })
  .openapi('OrderException');

const listExceptions = createRoute({
  method: 'get',
  path: '/v1/admin/exceptions',
  tags: ['operations'],
  summary: 'Orders an operator must look at, newest first',
  ...operatorRoute('read', 'exceptions.list'),
  request: { query: AdminListQuery },
  responses: {
    200: {
      description: 'Flagged orders (read model)',
      content: json(z.object({ items: z.array(OrderException), freshness: Freshness })),
    },
    ...errors(400, 401),
  },
});

const OrderInspection = Order.extend({
  awaiting: z.array(z.string()).openapi({
    description:
      'Steps other services still owe the order: stock, payment (while pending); capture, commit, shipment (once ' +
      'confirmed); callOff (a cancellation asked of shipping); stockBack, paymentBack (once cancelled)',
  }),
  nudges: z.number().openapi({ description: 'How often the open steps were asked for again' }),
  waitingSince: z.string(),
  nextDeadline: z.string().nullable().openapi({ description: 'When the order asks again (a pending one: cancels)' }),
}).openapi('OrderInspection');

const inspectOrder = createRoute({
  method: 'get',
  path: '/v1/admin/orders/{id}',
  tags: ['operations'],
  summary: 'An order with the steps it still waits for (strongly consistent)',
  ...operatorRoute('read', 'order.inspect'),
  request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: { description: 'The order', content: json(OrderInspection) }, ...errors(400, 401, 404) },
});

/** Operators' views of orders: the ones flagged for attention, and any one with its open steps. */
export function registerAdminOrders(app: OpenAPIHono<AppEnv>) {
  app.openapi(listExceptions, async (c) =>
    c.json(unwrap(await services(c.env).query.listExceptions(c.req.valid('query').limit)), 200),
  );
  app.openapi(inspectOrder, async (c) => c.json(unwrap(await services(c.env).orders.inspectOrder(c.req.valid('param').id)), 200));
}
