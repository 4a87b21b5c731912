import { unpack } from '../../shared/packet';
import { keep } from './dead-letters';
import { recordLag } from './lag';
import { inboxes, route } from './route';

export { RouterService } from './service';

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'router', ok: true })
    : new Response('Not Found', { status: 404 });

/** Every dead-letter queue's messages go to the console; a message that cannot be kept is retried. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  for (const message of batch.messages) {
    try {
      // A packet the queue itself moved here is kept as one entry per event, each redriven on its own.
      for (const body of unpack(message.body)) await keep(env.DB, batch.queue, { body, attempts: message.attempts });
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ msg: 'dead letter not kept', queue: batch.queue, error: String(error) }));
      message.retry({ delaySeconds: 5 });
    }
  }
}

export default {
  fetch: health,
  queue: (batch, env) =>
    batch.queue === 'conveyor-bus'
      ? route(batch, inboxes(env), env.ARCHIVE, { deadLetters: env.DEAD_LETTERS, lag: (ms) => recordLag(env.DB, ms) })
      : keepDeadLetters(batch, env),
} satisfies ExportedHandler<Env>;
