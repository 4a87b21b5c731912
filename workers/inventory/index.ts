import { consume } from '../../shared/consume';
import { holdAnswers } from '../../shared/packet';
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
  queue(batch, env) {
    // The answers to a whole batch travel as one message.
    const answers = holdAnswers(env.BUS);
    return consume(batch, handlers({ ...env, BUS: answers.queue }), { deadLetters: env.DEAD_LETTERS, answers });
  },
} satisfies ExportedHandler<Env>;
