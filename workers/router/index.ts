import { Meter, type Point } from '../../shared/metrics';
import { keep } from './dead-letters';
import { metricsStore } from './metrics-service';
import { inboxes, route } from './route';

export { MetricsDO } from './metrics-do';
export { MetricsService } from './metrics-service';
export { RouterService } from './service';

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'router', ok: true })
    : new Response('Not Found', { status: 404 });

/** The router's meter writes to its own metrics store directly, not over a service binding. */
const meter = (env: Env, ctx?: ExecutionContext) =>
  new Meter({ ...env, METRICS: { record: (points: Point[]) => metricsStore(env).record(points) } }, 'router', ctx);

/** Every dead-letter queue's messages go to the console; a message that cannot be kept is retried. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  const metrics = meter(env);
  for (const message of batch.messages) {
    try {
      await keep(env.DB, batch.queue, message);
      message.ack();
      metrics.count('dead_letters_total', { queue: batch.queue.replace(/-dlq$/, '') });
    } catch (error) {
      console.error(JSON.stringify({ msg: 'dead letter not kept', queue: batch.queue, error: String(error) }));
      message.retry({ delaySeconds: 5 });
    }
  }
  await metrics.flush();
}

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    batch.queue === 'conveyor-bus'
      ? route(batch, inboxes(env), env.ARCHIVE, { deadLetters: env.DEAD_LETTERS, metrics: meter(env, ctx) })
      : keepDeadLetters(batch, env),
} satisfies ExportedHandler<Env>;
