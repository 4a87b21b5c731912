import { consume } from '../../shared/consume';
import { Meter } from '../../shared/metrics';
import { handlers } from './consumer';

export { PaymentDO } from './payment-do';

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'payments', ok: true })
    : new Response('Not Found', { status: 404 });

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'payments', ctx) }),
} satisfies ExportedHandler<Env>;
