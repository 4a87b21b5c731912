import { WorkerEntrypoint } from 'cloudflare:workers';
import { consume } from '../../shared/consume';
import { reply } from '../../shared/errors';
import { Meter } from '../../shared/metrics';
import type { NotificationsRpc } from '../../shared/rpc';
import { deliverWebhooks, handlers } from './consumer';
import { listMail } from './mailer';
import { createSubscription, deleteSubscription, listDeliveries, listSubscriptions } from './webhooks';

/** The notifications service as the gateway calls it: the mail sink and webhook subscriptions. */
export class NotificationsService extends WorkerEntrypoint<Env> implements NotificationsRpc {
  listMail(limit: number) {
    return reply(() => listMail(this.env.DB, limit));
  }

  listWebhooks() {
    return reply(() => listSubscriptions(this.env.DB));
  }

  createWebhook(url: string, eventTypes: string[]) {
    return reply(() => createSubscription(this.env.DB, url, eventTypes));
  }

  deleteWebhook(id: string) {
    return reply(() => deleteSubscription(this.env.DB, id));
  }

  listDeliveries(subscriptionId: string, limit: number) {
    return reply(() => listDeliveries(this.env.DB, subscriptionId, limit));
  }
}

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'notifications', ok: true })
    : new Response('Not Found', { status: 404 });

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    batch.queue === 'conveyor-webhooks'
      ? deliverWebhooks(batch, env)
      : consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'notifications', ctx) }),
} satisfies ExportedHandler<Env>;
