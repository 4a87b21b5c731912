import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_RETRIES } from '../../../shared/consume';
import worker from '../../../workers/orders';
import { handlers } from '../../../workers/orders/consumer';
import { makeEvent, message } from '../../helpers/events';
import { makePlaceOrder, traceparent } from '../../helpers/fixtures';
import { expectHandlesExactly, tap } from '../../helpers/queues';

const queue = 'conveyor-orders-inbox';

async function placeOrder() {
  const command = makePlaceOrder();
  await env.ORDER_DO.getByName(command.data.id).place(command, traceparent);
  return command.data.id;
}

async function deliver(bodies: unknown[], testEnv: Env = env) {
  const batch = createMessageBatch(
    queue,
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv);
  return getQueueResult(batch, ctx);
}

const product = (version: number, priceCents: number) =>
  makeEvent('product.upserted', { sku: 'MUG', name: 'Mug', priceCents, currency: 'EUR', stock: 5, available: 5, version });

describe('orders inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('orders', handlers(env));
  });

  it('confirms an order from inventory.reserved and payment.authorized in one batch', async () => {
    const orderId = await placeOrder();
    const items = [{ sku: 'MUG', quantity: 1 }];
    const result = await deliver([
      makeEvent('inventory.reserved', { orderId, items }),
      makeEvent('payment.authorized', { orderId, paymentId: 'pay_1', amountCents: 1100, currency: 'EUR' }),
    ]);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    expect(await env.ORDER_DO.getByName(orderId).read()).toMatchObject({ status: 'confirmed' });
  });

  it('keeps the newest price in the catalog replica whatever order upserts arrive in', async () => {
    await deliver([product(2, 1200)]);
    await deliver([product(1, 1000)]);
    const row = await env.DB.prepare('SELECT price_cents, version FROM catalog WHERE sku = ?').bind('MUG').first();
    expect(row).toEqual({ price_cents: 1200, version: 2 });
  });

  it('dead-letters an invalid message with its reason, without retrying it', async () => {
    const deadLetters = tap(env.DEAD_LETTERS);
    const result = await deliver([{ type: 'inventory.reserved', data: {} }], { ...env, DEAD_LETTERS: deadLetters });
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages).toEqual([]);
    expect(deadLetters.sent).toEqual([
      expect.objectContaining({
        deadLetter: expect.objectContaining({ queue, reason: expect.stringMatching(/^invalid event: /) }),
      }),
    ]);
  });

  it('retries only the one failing message in a batch of ten', async () => {
    const items = [{ sku: 'MUG', quantity: 1 }];
    const good = await Promise.all(Array.from({ length: 9 }, () => placeOrder()));
    const poison = makeEvent('inventory.reserved', { orderId: crypto.randomUUID(), items });
    const bodies = [...good.slice(0, 4).map((orderId) => makeEvent('inventory.reserved', { orderId, items })), poison];
    bodies.push(...good.slice(4).map((orderId) => makeEvent('inventory.reserved', { orderId, items })));
    const result = await deliver(bodies);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m4']);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm5', 'm6', 'm7', 'm8', 'm9']);
    for (const orderId of good) expect(await env.ORDER_DO.getByName(orderId).read()).toMatchObject({ version: 2 });
  });

  it('changes nothing when a whole batch is delivered again under new message ids', async () => {
    const orderId = await placeOrder();
    const batch = [
      makeEvent('inventory.reserved', { orderId, items: [{ sku: 'MUG', quantity: 1 }] }),
      makeEvent('payment.authorized', { orderId, paymentId: 'p', amountCents: 1, currency: 'EUR' }),
    ];
    await deliver(batch);
    const before = await env.ORDER_DO.getByName(orderId).read();
    const again = await deliver(batch); // deliver() numbers messages afresh; the event ids are the same
    expect(again.explicitAcks).toHaveLength(2);
    expect(await env.ORDER_DO.getByName(orderId).read()).toEqual(before);
  });

  it('retries a poison message with growing delays and no side effect, then dead-letters it with its last error', async () => {
    const poison = makeEvent('payment.authorized', {
      orderId: crypto.randomUUID(),
      paymentId: 'p',
      amountCents: 1,
      currency: 'EUR',
    });
    const deadLetters = tap(env.DEAD_LETTERS, { hold: true });
    const outcomes = [];
    for (let attempts = 1; attempts <= MAX_RETRIES + 1; attempts++) {
      const batch = createMessageBatch(queue, [message(poison, { id: 'p', attempts })]);
      const ctx = createExecutionContext();
      await worker.queue(batch, { ...env, DEAD_LETTERS: deadLetters });
      const result = await getQueueResult(batch, ctx);
      outcomes.push(result.explicitAcks.length ? 'dead-lettered' : 'retried');
    }
    expect(outcomes).toEqual([...Array(MAX_RETRIES).fill('retried'), 'dead-lettered']);
    expect(deadLetters.sent).toMatchObject([
      {
        deadLetter: { queue, attempts: MAX_RETRIES + 1, reason: expect.stringMatching(/no such order/) },
        body: { id: poison.id },
      },
    ]);
    expect(await env.ORDER_DO.getByName(poison.data.orderId).read()).toBeNull();
  });
});
