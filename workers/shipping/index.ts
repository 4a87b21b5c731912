import { Hono } from 'hono';
import { consume } from '../../shared/consume';
import { handlers } from './consumer';

export { ShippingService } from './service';
export { ShipmentDO } from './shipment-do';

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'shipping', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>;
