import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import * as responses from '../../../shared/responses';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { AdminListQuery, errors, Freshness, json } from '../schemas';

const OrderException = responses.OrderException.openapi('OrderException');

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
      content: json(
        responses.ExceptionList.extend({ items: z.array(OrderException), freshness: Freshness }).openapi('ExceptionList'),
      ),
    },
    ...errors(400, 401),
  },
});

const OrderInspection = responses.OrderInspection.openapi('OrderInspection');

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
