import { Hono } from 'hono';
import { consume } from '../../shared/consume';
import { handlers } from './consumer';

export { OrderDO } from './order-do';
export { OrdersService } from './service';

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'orders', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>;
