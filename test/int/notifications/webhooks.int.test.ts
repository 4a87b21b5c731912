import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { REDRIVE_ATTEMPTS, type WebhookJob } from '../../../shared/webhook-job';
import worker from '../../../workers/notifications';
import { deliverWebhooks } from '../../../workers/notifications/consumer';
import { signWebhook } from '../../../workers/notifications/signature';
import { createSubscription, listDeliveries } from '../../../workers/notifications/webhooks';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { tap } from '../../helpers/queues';

/** A receiver that fails `failures` times, then accepts; it records what it was sent. */
function receiver(failures: number) {
  const received: { id: string; timestamp: string; signature: string; body: string }[] = [];
  let left = failures;
  const app = new Hono().post('/hook', async (c) => {
    received.push({
      id: c.req.header('webhook-id')!,
      timestamp: c.req.header('webhook-timestamp')!,
      signature: c.req.header('webhook-signature')!,
      body: await c.req.text(),
    });
    if (left > 0) {
      left -= 1;
      return c.text('busy', 503);
    }
    return c.text('ok');
  });
  const send = ((input: RequestInfo | URL, init?: RequestInit) => app.request(String(input), init)) as typeof fetch;
  return { received, send };
}

async function plan(url: string) {
  const subscription = await createSubscription(env.DB, url, ['order.*'], { allowedHosts: [] });
  const webhooks = tap(env.WEBHOOKS, { hold: true });
  const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
  const confirmed = makeEvent('order.confirmed', order);
  const batch = createMessageBatch('conveyor-notifications-inbox', [message(confirmed)]);
  await worker.queue(batch, { ...env, WEBHOOKS: webhooks });
  // Subscriptions of earlier tests in this file get their own deliveries; keep this one's.
  const ours = new Set((await listDeliveries(env.DB, subscription.id, { limit: 10 })).items.map((d) => d.id));
  const deliveries = (webhooks.sent as WebhookJob[]).filter((d) => ours.has(d.deliveryId));
  return { subscription, confirmed, deliveries };
}

async function attempt(
  deliveryId: string | WebhookJob,
  attempts: number,
  send: typeof fetch,
  deadLetters = env.WEBHOOK_DEAD_LETTERS,
) {
  const job = typeof deliveryId === 'string' ? { deliveryId } : deliveryId;
  const batch = createMessageBatch('conveyor-webhooks', [message(job, { id: 'd', attempts })]);
  const ctx = createExecutionContext();
  await deliverWebhooks(batch, { ...env, WEBHOOK_DEAD_LETTERS: deadLetters }, send);
  const result = await getQueueResult(batch, ctx);
  return result.explicitAcks.length ? 'ack' : 'retry';
}

describe('outbound webhooks', () => {
  it('plans one delivery per matching subscription, once however often the event arrives', async () => {
    const { subscription, confirmed, deliveries } = await plan('https://shop.test/hook');
    expect(deliveries).toHaveLength(1);
    const batch = createMessageBatch('conveyor-notifications-inbox', [message(confirmed)]);
    await worker.queue(batch, { ...env, WEBHOOKS: tap(env.WEBHOOKS, { hold: true }) });
    expect((await listDeliveries(env.DB, subscription.id, { limit: 10 })).items).toHaveLength(1);
  });

  it('retries a receiver that fails twice, then delivers once, with the same webhook-id every time', async () => {
    const { subscription, confirmed, deliveries } = await plan('https://shop.test/hook');
    const hook = receiver(2);
    const outcomes = [];
    for (let n = 1; n <= 3; n++) outcomes.push(await attempt(deliveries[0]!.deliveryId, n, hook.send));
    expect(outcomes).toEqual(['retry', 'retry', 'ack']);
    expect(new Set(hook.received.map((r) => r.id)).size).toBe(1);
    expect(JSON.parse(hook.received[2]!.body)).toMatchObject({ type: 'order.confirmed', data: { id: confirmed.id } });

    // A fourth delivery of the same message changes nothing: the receiver applies it once.
    expect(await attempt(deliveries[0]!.deliveryId, 4, hook.send)).toBe('ack');
    expect(hook.received).toHaveLength(3);
    expect((await listDeliveries(env.DB, subscription.id, { limit: 10 })).items).toMatchObject([
      { status: 'delivered', attempts: 3, lastStatusCode: 200 },
    ]);
  });

  it('signs the Standard Webhooks way: base64 HMAC of id.timestamp.body with the subscription secret', async () => {
    const { subscription, deliveries } = await plan('https://shop.test/hook');
    const hook = receiver(0);
    await attempt(deliveries[0]!.deliveryId, 1, hook.send);
    const [sent] = hook.received;
    const secret = (await env.DB.prepare('SELECT secret FROM webhook_subscriptions WHERE id = ?')
      .bind(subscription.id)
      .first<{ secret: string }>())!.secret;
    expect(sent!.signature).toBe(await signWebhook(secret, sent!.id, Number(sent!.timestamp), sent!.body));
    expect(sent!.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('marks a delivery failed once its retries are spent, and dead-letters it with its event, order, endpoint and last error', async () => {
    const { subscription, confirmed, deliveries } = await plan('https://shop.test/hook');
    const deadLetters = tap(env.WEBHOOK_DEAD_LETTERS, { hold: true });
    expect(await attempt(deliveries[0]!, 9, receiver(99).send, deadLetters)).toBe('ack');
    expect((await listDeliveries(env.DB, subscription.id, { limit: 10 })).items).toMatchObject([
      { status: 'failed', attempts: 1, lastStatusCode: 503 },
    ]);
    expect(deadLetters.sent).toEqual([
      {
        deadLetter: expect.objectContaining({
          queue: 'conveyor-webhooks',
          reason: 'failed 9 times; last error: the receiver answered 503',
        }),
        body: {
          deliveryId: deliveries[0]!.deliveryId,
          eventId: confirmed.id,
          eventType: 'order.confirmed',
          orderId: confirmed.data.id,
          subscriptionId: subscription.id,
          endpoint: 'https://shop.test/hook',
        },
      },
    ]);
  });

  it('gives a redriven delivery whose receiver is still down 3 attempts, not another full schedule', async () => {
    const { deliveries } = await plan('https://shop.test/hook');
    const down = receiver(99);
    await attempt(deliveries[0]!, 9, down.send); // dead-lettered: failed for good
    const deadLetters = tap(env.WEBHOOK_DEAD_LETTERS, { hold: true });
    // The operator redrives it while the receiver is still down: attempts start again at 1.
    expect(await attempt(deliveries[0]!, 1, down.send, deadLetters)).toBe('retry');
    expect(await attempt(deliveries[0]!, 2, down.send, deadLetters)).toBe('retry');
    expect(await attempt(deliveries[0]!, REDRIVE_ATTEMPTS, down.send, deadLetters)).toBe('ack');
    expect(deadLetters.sent).toMatchObject([{ deadLetter: { reason: 'failed 3 times; last error: the receiver answered 503' } }]);

    // Fixed, and redriven again: delivered.
    expect(await attempt(deliveries[0]!, 1, receiver(0).send)).toBe('ack');
    const [row] = (await listDeliveries(env.DB, deliveries[0]!.subscriptionId!, { limit: 1 })).items;
    expect(row).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
  });

  it('pages its delivery log newest first with a cursor', async () => {
    const subscription = await createSubscription(env.DB, 'https://shop.test/paged', ['order.*'], { allowedHosts: [] });
    for (let i = 0; i < 5; i++) {
      const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
      const batch = createMessageBatch('conveyor-notifications-inbox', [message(makeEvent('order.confirmed', order))]);
      await worker.queue(batch, { ...env, WEBHOOKS: tap(env.WEBHOOKS, { hold: true }) });
    }
    const first = await listDeliveries(env.DB, subscription.id, { limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await listDeliveries(env.DB, subscription.id, { limit: 3, cursor: first.nextCursor! });
    expect(second).toMatchObject({ nextCursor: null });
    expect(second.items).toHaveLength(2);
    expect(new Set([...first.items, ...second.items].map((d) => d.id)).size).toBe(5);
  });
});
