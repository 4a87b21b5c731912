import { failClosed } from '../../shared/config';
import { health } from '../../shared/health';
import { unpack } from '../../shared/packet';
import { RouterConfig } from './config';
import { keep } from './dead-letters';
import { recordLag } from './lag';
import { inboxes, route } from './route';

export { RouterService } from './service';

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

export default failClosed('router', RouterConfig, {
  fetch: health('router'),
  queue: (batch, env) =>
    batch.queue === 'conveyor-bus'
      ? route(batch, inboxes(env), env.ARCHIVE, { deadLetters: env.DEAD_LETTERS, lag: (ms) => recordLag(env.DB, ms) })
      : keepDeadLetters(batch, env),
} satisfies ExportedHandler<Env>);
