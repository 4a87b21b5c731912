import { Hono } from 'hono';
import { route } from './route';

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'router', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    route(
      batch,
      {
        inventory: env.INVENTORY_INBOX,
        payments: env.PAYMENTS_INBOX,
        shipping: env.SHIPPING_INBOX,
        notifications: env.NOTIFICATIONS_INBOX,
        query: env.QUERY_INBOX,
        orders: env.ORDERS_INBOX,
      },
      env.ARCHIVE,
      { deadLetters: env.DEAD_LETTERS },
    ),
} satisfies ExportedHandler<Env>;
