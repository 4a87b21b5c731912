import { type Handlers, retryOrGiveUp } from '../../shared/consume';
import type { Event, EventOf, OrderEvent } from '../../shared/events';
import { openPersonal, type Personal, type VaultRpc } from '../../shared/personal-data';
import { publishAnswer } from '../../shared/publish';
import { REDRIVE_ATTEMPTS, WebhookJob } from '../../shared/webhook-job';
import { notificationsConfig } from './config';
import { forgetCustomer } from './erasure';
import { mailerFor } from './mailer';
import { mailFor } from './templates';
import { attemptDelivery, DeliveryFailed, markFailed, planDeliveries } from './webhooks';

/**
 * What notifications does with each order event: one e-mail per event where the customer should
 * hear of it, and one webhook delivery per matching subscription, however often the event arrives.
 * The customer's e-mail and address are opened through the vault when needed, at most once per
 * event; an erased customer is written to no more. customer.erased makes it forget what it kept.
 */
export function handlers(env: Env): Handlers {
  const mailer = mailerFor(env);
  const vault = env.VAULT as unknown as Service<VaultRpc>;
  /** Plans the event's webhook deliveries and queues one job each (shared/webhook-job.ts). */
  const deliver = async (e: Event, personal?: () => Promise<Personal>) => {
    const jobs: WebhookJob[] = await planDeliveries(env.DB, e, personal);
    if (jobs.length > 0) await env.WEBHOOKS.sendBatch(jobs.map((job) => ({ body: job })));
  };
  const notify = async (e: OrderEvent) => {
    let opened: Promise<Personal> | undefined;
    const personal = () => (opened ??= openPersonal(vault, e.data));
    await deliver(e, personal);
    const mail = mailFor(e);
    if (!mail) return;
    const { email, personalData } = await personal();
    if (personalData === 'erased') return;
    await mailer.send(`mail_${e.id}`, email ? { ...mail, email } : mail);
    await publishAnswer(env.BUS, 'notifications', e, 'notification.sent', {
      orderId: mail.orderId,
      channel: 'email',
      to: mail.to,
      subject: mail.subject,
    });
  };
  return {
    'order.placed': notify,
    'order.confirmed': notify,
    'order.cancellation_requested': notify,
    'order.cancelled': notify,
    'order.flagged': notify,
    'order.shipped': notify,
    'order.delivered': notify,
    'customer.erased': async (e: EventOf<'customer.erased'>) => {
      await forgetCustomer(env.DB, e.data.customerId);
      // Subscribers that received the customer's data are told to erase it too (GDPR Art. 19).
      await deliver(e);
    },
  };
}

/**
 * Delivers webhooks one message at a time: a failing receiver is retried with backoff; after
 * WEBHOOK_MAX_ATTEMPTS (a redriven delivery: {@link REDRIVE_ATTEMPTS}) the delivery is marked
 * failed and dead-lettered with its event, order, endpoint and last error, where an operator can
 * redrive it once the receiver is fixed.
 */
export async function deliverWebhooks(batch: MessageBatch<unknown>, env: Env, send: typeof fetch = fetch): Promise<void> {
  const config = notificationsConfig(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = WebhookJob.safeParse(message.body);
      if (!job.success) return message.ack();
      try {
        await attemptDelivery(env.DB, job.data.deliveryId, config.outbound, send);
        message.ack();
      } catch (error) {
        const redriven = error instanceof DeliveryFailed && error.redriven;
        const options = {
          queue: batch.queue,
          deadLetters: env.WEBHOOK_DEAD_LETTERS,
          maxAttempts: redriven ? REDRIVE_ATTEMPTS : config.webhookMaxAttempts,
        };
        if ((await retryOrGiveUp(message, error instanceof DeliveryFailed ? error.why : error, options)) === 'dead-lettered')
          await markFailed(env.DB, job.data.deliveryId);
      }
    }),
  );
}
