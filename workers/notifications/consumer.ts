import { backoffSeconds, type Handlers } from '../../shared/consume';
import type { EventOf } from '../../shared/events';
import { publishAnswer } from '../../shared/publish';
import { d1Sink } from './mailer';
import { mailFor } from './templates';
import { attemptDelivery, markFailed, planDeliveries } from './webhooks';

type OrderEvent = EventOf<'order.placed' | 'order.confirmed' | 'order.cancelled' | 'order.shipped' | 'order.delivered'>;

/**
 * What notifications does with each order event: one e-mail per event where the customer should
 * hear of it, and one webhook delivery per matching subscription, however often the event arrives.
 */
export function handlers(env: Env): Handlers {
  const mailer = d1Sink(env.DB);
  const notify = async (e: OrderEvent) => {
    const deliveries = await planDeliveries(env.DB, e);
    if (deliveries.length > 0) await env.WEBHOOKS.sendBatch(deliveries.map((deliveryId) => ({ body: { deliveryId } })));
    const mail = mailFor(e);
    if (!mail) return;
    await mailer.send(`mail_${e.id}`, mail);
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
    'order.cancelled': notify,
    'order.shipped': notify,
    'order.delivered': notify,
  };
}

/** The webhook queue's retries (wrangler.toml `max_retries` for conveyor-webhooks). */
export const WEBHOOK_MAX_RETRIES = 8;

/** Delivers webhooks one message at a time; a failing receiver is retried with backoff, then marked failed. */
export async function deliverWebhooks(batch: MessageBatch<unknown>, env: Env, send: typeof fetch = fetch): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body as { deliveryId?: unknown };
      if (typeof body?.deliveryId !== 'string') return message.ack();
      try {
        await attemptDelivery(env.DB, body.deliveryId, send);
        message.ack();
      } catch (error) {
        console.error(
          JSON.stringify({
            msg: 'webhook delivery failed',
            deliveryId: body.deliveryId,
            attempts: message.attempts,
            error: String(error),
          }),
        );
        if (message.attempts > WEBHOOK_MAX_RETRIES) {
          await markFailed(env.DB, body.deliveryId);
          return message.ack();
        }
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }),
  );
}
