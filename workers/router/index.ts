import { busShardOf } from '../../shared/bus';
import { failClosed } from '../../shared/config';
import { health } from '../../shared/health';
import { Meter, type Point } from '../../shared/metrics';
import { unpack } from '../../shared/packet';
import { queueOfDeadLetters } from '../../shared/queue-names';
import { RouterConfig } from './config';
import { keep } from './dead-letters';
import { recordLag } from './lag';
import { metricsStore } from './metrics-service';
import { inboxes, route } from './route';

export { MetricsDO } from './metrics-do';
export { MetricsService } from './metrics-service';
export { RouterService } from './service';

/** The router's meter writes to its own metrics store directly, not over a service binding. */
const meter = (env: Env, ctx?: ExecutionContext) =>
  new Meter({ ...env, METRICS: { record: (points: Point[]) => metricsStore(env).record(points) } }, 'router', ctx);

/** Every dead-letter queue's messages go to the console; a message that cannot be kept is retried. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  const metrics = meter(env);
  for (const message of batch.messages) {
    try {
      // A packet the queue itself moved here is kept as one entry per event, each redriven on its own.
      for (const body of unpack(message.body)) await keep(env.DB, batch.queue, { body, attempts: message.attempts });
      message.ack();
      metrics.count('dead_letters_total', { queue: queueOfDeadLetters(batch.queue) });
    } catch (error) {
      console.error(JSON.stringify({ msg: 'dead letter not kept', queue: batch.queue, error: String(error) }));
      message.retry({ delaySeconds: 5 });
    }
  }
  await metrics.flush();
}

/** A batch of a bus shard is routed (each shard's queue is consumed by its own consumer); any other is a dead-letter queue's. */
function queue(batch: MessageBatch<unknown>, env: Env, ctx?: ExecutionContext) {
  const shard = busShardOf(batch.queue);
  if (shard === null) return keepDeadLetters(batch, env);
  return route(batch, inboxes(env), env.ARCHIVE, {
    shard,
    deadLetters: env.DEAD_LETTERS,
    lag: (ms) => recordLag(env.DB, shard, ms),
    metrics: meter(env, ctx),
  });
}

export default failClosed('router', RouterConfig, {
  fetch: health('router'),
  queue,
} satisfies ExportedHandler<Env>);
