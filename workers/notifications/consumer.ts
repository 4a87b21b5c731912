import type { Handlers } from '../../shared/consume';
import type { EventOf } from '../../shared/events';
import { publishAnswer } from '../../shared/publish';
import { d1Sink } from './mailer';
import { mailFor } from './templates';

/** What notifications does with each order event: one message per event, however often it arrives. */
export function handlers(env: Env): Handlers {
  const mailer = d1Sink(env.DB);
  const notify = async (e: EventOf<'order.confirmed' | 'order.cancelled'>) => {
    const mail = mailFor(e);
    await mailer.send(`mail_${e.id}`, mail);
    await publishAnswer(env.BUS, 'notifications', e, 'notification.sent', {
      orderId: mail.orderId,
      channel: 'email',
      to: mail.to,
      subject: mail.subject,
    });
  };
  return { 'order.confirmed': notify, 'order.cancelled': notify };
}
