import { failClosed } from '../../shared/config';
import { health } from '../../shared/health';
import { RouterConfig } from './config';
import { keep } from './dead-letters';
import { inboxes, route } from './route';

export { RouterService } from './service';

/** Every dead-letter queue's messages go to the console; a message that cannot be kept is retried. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  for (const message of batch.messages) {
    try {
      await keep(env.DB, batch.queue, message);
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
      ? route(batch, inboxes(env), env.ARCHIVE, { deadLetters: env.DEAD_LETTERS })
      : keepDeadLetters(batch, env),
} satisfies ExportedHandler<Env>);
