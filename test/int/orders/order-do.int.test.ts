import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { OrderCommand } from '../../../workers/orders/order';
import { OrderDO } from '../../../workers/orders/order-do';
import { makeCause } from '../../helpers/fixtures';

const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;

function placeCommand(id: string): Extract<OrderCommand, { type: 'PlaceOrder' }> {
  return {
    type: 'PlaceOrder',
    data: {
      id,
      customerId: 'cust_1',
      items: [{ sku: 'TSHIRT', name: 'T-shirt', quantity: 1, unitPriceCents: 1900 }],
      totalCents: 1900,
      currency: 'EUR',
      shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
      paymentToken: 'tok_visa',
    },
  };
}

async function placed() {
  const id = crypto.randomUUID();
  const stub = env.ORDER_DO.getByName(id);
  const answer = await stub.place(placeCommand(id), traceparent);
  return { id, stub, answer };
}

describe('OrderDO', () => {
  it('places an order: one event in its stream, order.placed sent from the outbox', async () => {
    const { stub, answer } = await placed();
    expect(answer).toMatchObject({ ok: true, value: { status: 'pending', version: 1, totalCents: 1900 } });
    await runInDurableObject(stub, (_instance: OrderDO, state) => {
      expect(state.storage.sql.exec('SELECT version, type FROM events').toArray()).toEqual([{ version: 1, type: 'OrderPlaced' }]);
      expect(state.storage.sql.exec('SELECT count(*) AS n FROM outbox').one().n).toBe(0);
    });
  });

  it('answers order_exists when the same id is placed again', async () => {
    const { id, stub } = await placed();
    expect(await stub.place(placeCommand(id), traceparent)).toMatchObject({
      ok: false,
      error: { code: 'order_exists', status: 409 },
    });
  });

  it('confirms when stock is reserved and payment authorized', async () => {
    const { stub } = await placed();
    await stub.handle({ type: 'RecordStock', outcome: 'reserved' }, makeCause());
    await stub.handle({ type: 'RecordPayment', outcome: 'authorized' }, makeCause());
    expect(await stub.read()).toMatchObject({ status: 'confirmed', version: 4 });
  });

  it('applies a redelivered event once', async () => {
    const { stub } = await placed();
    const cause = makeCause();
    await stub.handle({ type: 'RecordPayment', outcome: 'declined' }, cause);
    await stub.handle({ type: 'RecordPayment', outcome: 'declined' }, cause);
    expect(await stub.read()).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined', version: 3 });
  });

  it('rebuilds the same state from its stream in a fresh instance', async () => {
    const { stub } = await placed();
    await stub.handle({ type: 'RecordStock', outcome: 'reserved' }, makeCause());
    const before = await stub.read();
    const rebuilt = await runInDurableObject(stub, (_instance: OrderDO, state) => new OrderDO(state, env).read());
    expect(rebuilt).toEqual(before);
  });

  it('answers null for an order never placed', async () => {
    expect(await env.ORDER_DO.getByName(crypto.randomUUID()).read()).toBeNull();
  });
});
