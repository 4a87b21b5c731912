import { consume } from '../../shared/consume';
import { Meter } from '../../shared/metrics';
import { handlers } from './consumer';

export { InventoryDO } from './inventory-do';
export { InventoryService } from './service';

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'inventory', ok: true })
    : new Response('Not Found', { status: 404 });

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'inventory', ctx) }),
} satisfies ExportedHandler<Env>;
