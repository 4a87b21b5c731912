import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
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
