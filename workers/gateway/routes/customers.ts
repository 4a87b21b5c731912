import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, unwrap } from '../../../shared/errors';
import type { OrderStatus } from '../../../shared/events';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { errors, json } from '../schemas';

const Erasure = z
  .object({
    customerId: z.string(),
    erasedAt: z.string().openapi({ description: 'When their key was destroyed (the first time, for a repeated call)' }),
    orders: z.number().openapi({ description: "How many of their orders' personal data became unreadable" }),
  })
  .openapi('Erasure');

const eraseCustomer = createRoute({
  method: 'delete',
  path: '/v1/admin/customers/{id}',
  tags: ['operations'],
  summary: "Erase a customer's personal data (GDPR Art. 17)",
  description:
    "Destroys the customer's key in the vault: their name, address and e-mail, sealed with it in every event, become " +
    'unreadable everywhere at once — the archive, the inboxes, replays and rebuilds. Announces `customer.erased`, on ' +
    'which the mail sink and webhook deliveries forget what they kept, and subscribers are told. Their orders stay ' +
    '(the shop must keep its sales records), without personal data. Refused with `409 customer_has_open_orders` while ' +
    'an order is not yet shipped or cancelled, since shipping it still needs the address. Irreversible; erasing again ' +
    'answers the first erasure.',
  ...operatorRoute('privacy', 'customer.erase'),
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(256)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'cust_42' }),
    }),
  },
  responses: { 200: { description: 'Erased', content: json(Erasure) }, ...errors(400, 401, 403, 404, 409) },
});

/** Orders' statuses are read this many at a time (one RPC each), so a long-standing customer stays within limits. */
const STATUS_BATCH = 100;

/**
 * Operators' privacy requests: erasing a customer. A customer the read model knows no order of is
 * answered 404 before the vault is asked (a made-up id must not leave a Durable Object behind). The
 * gateway reads the statuses of every order the vault sealed for them from the orders' own Durable
 * Objects; the vault then refuses or destroys the key in one transaction, judging an order sealed
 * since (a placement racing the erasure) as still in flight.
 */
export function registerCustomers(app: OpenAPIHono<AppEnv>) {
  app.openapi(eraseCustomer, async (c) => {
    const { id } = c.req.valid('param');
    const { vault, orders, query } = services(c.env);
    const known = unwrap(await query.listOrders({ customerId: id, limit: 1 })).items.length > 0;
    if (!known) {
      throw new AppError({
        code: 'customer_not_found',
        message: `no order of customer ${id} is known, so nothing of theirs was sealed (an order placed a moment ago may not be listed yet)`,
        status: 404,
      });
    }
    const ids = unwrap(await vault.customerKeys(id)).orders.map((o) => o.orderId);
    const statuses: Record<string, OrderStatus | null> = {};
    for (let i = 0; i < ids.length; i += STATUS_BATCH) {
      Object.assign(statuses, unwrap(await orders.orderStatuses(ids.slice(i, i + STATUS_BATCH))));
    }
    return c.json(unwrap(await vault.erase(id, statuses, c.get('traceparent'))), 200);
  });
}
