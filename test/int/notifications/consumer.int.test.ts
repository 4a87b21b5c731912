import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/notifications';
import { handlers } from '../../../workers/notifications/consumer';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { events, expectHandlesExactly, tap } from '../../helpers/queues';

async function deliver(body: unknown) {
  const bus = tap(env.BUS);
  const batch = createMessageBatch('conveyor-notifications-inbox', [message(body, { id: 'm0' })]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, BUS: bus });
  return { result: await getQueueResult(batch, ctx), published: events(bus) };
}

describe('notifications inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('notifications', handlers(env));
  });

  it('mails the customer once per event and answers with the same notification.sent id', async () => {
    const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
    const confirmed = makeEvent('order.confirmed', order);
    const first = await deliver(confirmed);
    const second = await deliver(confirmed);
    expect(first.result.explicitAcks).toEqual(['m0']);
    expect(first.published).toMatchObject([{ type: 'notification.sent', data: { orderId: order.id, to: 'cust_1' } }]);
    expect(second.published[0]!.id).toBe(first.published[0]!.id);
    const { results } = await env.DB.prepare('SELECT subject, body FROM mail WHERE order_id = ?').bind(order.id).all();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      subject: expect.stringContaining('confirmed'),
      body: expect.stringContaining('38.00 EUR'),
    });
  });

  it('tells the customer why an order was cancelled', async () => {
    const { payment: _, ...order } = makeOrder({ status: 'cancelled', version: 3 });
    await deliver(makeEvent('order.cancelled', { ...order, status: 'cancelled', cancelReason: 'payment_declined' }));
    const mail = await env.DB.prepare('SELECT body FROM mail WHERE order_id = ?').bind(order.id).first<{ body: string }>();
    expect(mail?.body).toContain('your payment was declined');
  });
});
