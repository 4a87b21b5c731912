import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderDO } from '../../../workers/orders/order-do';
import { makeCause, makePlaceOrder, traceparent } from '../../helpers/fixtures';
import { watchSends } from '../../helpers/queues';
import { expectError, expectOk } from '../../helpers/reply';

afterEach(() => vi.restoreAllMocks());

async function placed() {
  const command = makePlaceOrder();
  const stub = env.ORDER_DO.getByName(command.data.id);
  const answer = await stub.place(command, traceparent);
  return { command, stub, answer };
}

describe('OrderDO', () => {
  it('places an order: one event in its stream, order.placed sent from the outbox, which then forgets it', async () => {
    const bus = watchSends(env.BUS);
    const { command, stub, answer } = await placed();
    expect(expectOk(answer)).toMatchObject({ order: { status: 'pending', version: 1, totalCents: 3800 }, replayed: false });
    await vi.waitFor(() =>
      expect(bus.events()).toMatchObject([{ type: 'order.placed', subject: command.data.id, data: { status: 'pending' } }]),
    );
    await runInDurableObject(stub, (_instance: OrderDO, state) => {
      expect(state.storage.sql.exec('SELECT version, type FROM events').toArray()).toEqual([{ version: 1, type: 'OrderPlaced' }]);
      expect(state.storage.sql.exec('SELECT id FROM outbox').toArray()).toEqual([]);
    });
  });

  it('answers order_exists when the same id is placed again', async () => {
    const { command, stub } = await placed();
    expect(expectError(await stub.place(command, traceparent), 'order_exists').status).toBe(409);
  });

  it('confirms when stock is reserved and payment authorized', async () => {
    const { stub } = await placed();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, makeCause());
    await stub.handle({ type: 'Observe', fact: 'payment.authorized' }, makeCause());
    expect(await stub.read()).toMatchObject({ status: 'confirmed', version: 4 });
  });

  it('applies a redelivered event once', async () => {
    const { stub } = await placed();
    const cause = makeCause();
    await stub.handle({ type: 'Observe', fact: 'payment.declined' }, cause);
    await stub.handle({ type: 'Observe', fact: 'payment.declined' }, cause);
    expect(await stub.read()).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined', version: 3 });
  });

  it('rebuilds the same state from its stream in a fresh instance', async () => {
    const { stub } = await placed();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, makeCause());
    const before = await stub.read();
    const rebuilt = await runInDurableObject(stub, (_instance: OrderDO, state) => new OrderDO(state, env).read());
    expect(rebuilt).toEqual(before);
  });

  it('answers null for an order never placed', async () => {
    expect(await env.ORDER_DO.getByName(crypto.randomUUID()).read()).toBeNull();
  });
});
