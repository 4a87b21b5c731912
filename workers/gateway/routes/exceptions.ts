import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import { type AppEnv, services } from '../context';
import { AdminListQuery, errors, Freshness, json } from '../schemas';

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
  security: [{ admin: [] }],
  request: { query: AdminListQuery },
  responses: {
    200: {
      description: 'Flagged orders (read model)',
      content: json(z.object({ items: z.array(OrderException), freshness: Freshness })),
    },
    ...errors(400, 401),
  },
});

export function registerExceptions(app: OpenAPIHono<AppEnv>) {
  app.openapi(listExceptions, async (c) =>
    c.json(unwrap(await services(c.env).query.listExceptions(c.req.valid('query').limit)), 200),
  );
}
