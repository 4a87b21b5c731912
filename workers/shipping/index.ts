import { consume } from '../../shared/consume';
import { Meter } from '../../shared/metrics';
import { handlers } from './consumer';

export { ShippingService } from './service';
export { ShipmentDO } from './shipment-do';

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'shipping', ok: true })
    : new Response('Not Found', { status: 404 });

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'shipping', ctx) }),
} satisfies ExportedHandler<Env>;
