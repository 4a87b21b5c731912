import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/payments';
import { handlers } from '../../../workers/payments/consumer';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { expectHandlesExactly } from '../../helpers/queues';

async function deliver(...bodies: unknown[]) {
  const batch = createMessageBatch(
    'conveyor-payments-inbox',
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const status = (orderId: string) => env.PAYMENT_DO.getByName(orderId).read();

describe('payments inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('payments', handlers(env));
  });

  it('authorizes on order.placed and captures on order.confirmed', async () => {
    const placed = makeOrderPlaced();
    expect((await deliver(placed)).explicitAcks).toEqual(['m0']);
    expect(await status(placed.data.id)).toBe('authorized');
    await deliver(makeEvent('order.confirmed', { ...placed.data, status: 'confirmed', version: 4 }));
    expect(await status(placed.data.id)).toBe('captured');
  });

  it('voids an authorization when the order is cancelled', async () => {
    const placed = makeOrderPlaced();
    await deliver(placed);
    await deliver(
      makeEvent('order.cancelled', { ...placed.data, status: 'cancelled', cancelReason: 'out_of_stock', version: 3 }),
    );
    expect(await status(placed.data.id)).toBe('voided');
  });

  it('never authorizes an order whose cancel arrived first', async () => {
    const placed = makeOrderPlaced();
    await deliver(
      makeEvent('order.cancelled', { ...placed.data, status: 'cancelled', cancelReason: 'out_of_stock', version: 3 }),
    );
    await deliver(placed);
    expect(await status(placed.data.id)).toBe('voided');
  });

  it('declines tok_chargeDeclined, and a repeat changes nothing', async () => {
    const placed = makeOrderPlaced({ payment: { token: 'tok_chargeDeclined' } });
    await deliver(placed, placed);
    expect(await status(placed.data.id)).toBe('declined');
  });
});

describe('payments under faults', () => {
  it('retries a transient provider failure until it authorizes once (tok_flaky fails twice)', async () => {
    const placed = makeOrderPlaced({ payment: { token: 'tok_flaky' } });
    const attempts = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const batch = createMessageBatch('conveyor-payments-inbox', [message(placed, { id: 'm', attempts: attempt })]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      attempts.push(await getQueueResult(batch, ctx));
    }
    expect(attempts.map((r) => (r.explicitAcks.length ? 'ack' : r.retryMessages.length ? 'retry' : 'none'))).toEqual([
      'retry',
      'retry',
      'ack',
    ]);
    expect(await status(placed.data.id)).toBe('authorized');
  });

  it('refunds a captured payment when the order is cancelled, once however often the cancel arrives', async () => {
    const placed = makeOrderPlaced();
    await deliver(placed);
    await deliver(makeEvent('order.confirmed', { ...placed.data, status: 'confirmed', version: 4 }));
    const cancelled = makeEvent('order.cancelled', {
      ...placed.data,
      status: 'cancelled',
      cancelReason: 'customer_request',
      version: 5,
    });
    await deliver(cancelled, cancelled);
    await deliver(cancelled);
    expect(await status(placed.data.id)).toBe('refunded');
    const refunds = await runInDurableObject(env.PAYMENT_DO.getByName(placed.data.id), (_i, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM outbox WHERE type = 'payment.refunded'").one(),
    );
    expect(refunds.n).toBe(1);
  });

  it('announces the same answer again, with the same event id, when asked again', async () => {
    const placed = makeOrderPlaced();
    const stub = env.PAYMENT_DO.getByName(placed.data.id);
    await deliver(placed);
    const read = () =>
      runInDurableObject(stub, (_i, state) =>
        state.storage.sql
          .exec<{ id: string; sent_at: number }>("SELECT id, sent_at FROM outbox WHERE type = 'payment.authorized'")
          .one(),
      );
    const first = await read();
    await new Promise((r) => setTimeout(r, 5));
    await deliver(placed);
    const again = await read();
    expect(again.id).toBe(first.id);
    expect(again.sent_at).toBeGreaterThan(first.sent_at);
  });
});
