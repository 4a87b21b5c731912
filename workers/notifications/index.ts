import { WorkerEntrypoint } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { reply } from '../../shared/errors';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import { holdAnswers } from '../../shared/packet';
import { WEBHOOKS_QUEUE } from '../../shared/queue-names';
import type { AdminPageQuery } from '../../shared/responses';
import type { NotificationsRpc } from '../../shared/rpc';
import { NotificationsConfig, notificationsConfig } from './config';
import { deliverWebhooks, handlers } from './consumer';
import { listMail } from './mailer';
import { createSubscription, deleteSubscription, listDeliveries, listSubscriptions } from './webhooks';

/** The notifications service as the gateway calls it: the mail sink and webhook subscriptions. */
export class NotificationsService extends WorkerEntrypoint<Env> implements NotificationsRpc {
  listMail(page: AdminPageQuery) {
    return this.serve(() => listMail(this.env.DB, page));
  }

  listWebhooks() {
    return this.serve(() => listSubscriptions(this.env.DB));
  }

  createWebhook(url: string, eventTypes: string[], personalData = false) {
    return this.serve(({ outbound }) => createSubscription(this.env.DB, url, eventTypes, outbound, personalData));
  }

  deleteWebhook(id: string) {
    return this.serve(() => deleteSubscription(this.env.DB, id));
  }

  listDeliveries(subscriptionId: string, page: AdminPageQuery) {
    return this.serve(() => listDeliveries(this.env.DB, subscriptionId, page));
  }

  /** Answers `work`, or `misconfigured` while the configuration does not hold. */
  private serve<T>(work: (config: NotificationsConfig) => Promise<T>) {
    return reply(() => work(notificationsConfig(this.env)));
  }
}

export default failClosed('notifications', NotificationsConfig, {
  fetch: health('notifications'),
  queue(batch, env, ctx?: ExecutionContext) {
    // The answers to a whole batch travel as one message.
    const answers = holdAnswers(bus(env));
    return batch.queue === WEBHOOKS_QUEUE
      ? deliverWebhooks(batch, env)
      : consume(batch, handlers({ ...env, BUS: answers.queue }), {
          deadLetters: env.DEAD_LETTERS,
          answers,
          metrics: new Meter(env, 'notifications', ctx),
        });
  },
} satisfies ExportedHandler<Env>);
