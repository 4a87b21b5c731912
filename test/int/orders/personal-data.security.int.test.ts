import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../../shared/events';
import { openPaymentToken, type VaultRpc } from '../../../shared/personal-data';
import { KeyringSecret } from '../../../shared/sealed';
import { applyProductUpserted } from '../../../workers/orders/catalog';
import type { OrderDO } from '../../../workers/orders/order-do';
import { address, makeOrderInput, makeProduct, traceparent } from '../../helpers/fixtures';
import { expectOk } from '../../helpers/reply';

const orders = exports.OrdersService;
const vault = env.VAULT as unknown as Service<VaultRpc>;
const clear = /Ada|1 Main St|10115|ada@example\.com|tok_visa/;

/** Everything the order's Durable Object stores, as text. */
const storageOf = (orderId: string) =>
  runInDurableObject(env.ORDER_DO.getByName(orderId), (_: OrderDO, state) =>
    JSON.stringify(['events', 'outbox', 'idempotency'].map((t) => state.storage.sql.exec(`SELECT * FROM ${t}`).toArray())),
  );

const outboxOf = (orderId: string) =>
  runInDurableObject(env.ORDER_DO.getByName(orderId), (_: OrderDO, state) =>
    state.storage.sql
      .exec<{ body: string }>('SELECT body FROM outbox ORDER BY seq')
      .toArray()
      .map((r) => Event.parse(JSON.parse(r.body))),
  );

describe('orders keeps personal data and the payment token sealed', () => {
  beforeAll(async () => {
    await applyProductUpserted(env.DB, makeProduct({ sku: 'CAP', name: 'Cap', priceCents: 1500 }));
  });

  const place = async (customerId: string, key?: string) =>
    expectOk(await orders.placeOrder(customerId, { ...makeOrderInput('CAP'), email: 'ada@example.com' }, traceparent, key)).order;

  it('stores and announces ciphertext only, and shows the customer their own address', async () => {
    const order = await place('cust_sealed', 'checkout-1');
    expect(order).toMatchObject({ shippingAddress: address, email: 'ada@example.com' });
    expect(await storageOf(order.id)).not.toMatch(clear);
    const [placed] = await outboxOf(order.id);
    expect(JSON.stringify(placed)).not.toMatch(clear);
    expect(placed).toMatchObject({ type: 'order.placed', data: { shippingAddress: { v: 1 }, email: { v: 1 } } });
  });

  it('seals the payment token so that only the keyring orders shares with payments opens it, for this order only', async () => {
    const order = await place('cust_token');
    const [placed] = await outboxOf(order.id);
    if (placed?.type !== 'order.placed') throw new Error('no order.placed staged');
    const keys = KeyringSecret.parse(env.PAYMENT_TOKEN_KEYS);
    expect(await openPaymentToken(keys, placed.data)).toBe('tok_visa');
    expect(await openPaymentToken(keys, { ...placed.data, id: crypto.randomUUID() })).toBeNull();
  });

  it('opens the address for the order’s reads and for a replayed answer; marks it erased once the customer is', async () => {
    const order = await place('cust_reads', 'checkout-2');
    expect(expectOk(await orders.getOrder(order.id))).toMatchObject({ shippingAddress: address, email: 'ada@example.com' });
    const replayed = expectOk(
      await orders.placeOrder('cust_reads', { ...makeOrderInput('CAP'), email: 'ada@example.com' }, traceparent, 'checkout-2'),
    );
    expect(replayed).toMatchObject({ replayed: true, order: { shippingAddress: address } });

    const statuses = expectOk(await orders.orderStatuses([order.id, crypto.randomUUID()]));
    expect(Object.values(statuses)).toEqual(['pending', null]);
    expectOk(await vault.erase('cust_reads', { [order.id]: 'cancelled' }));

    const after = expectOk(await orders.getOrder(order.id));
    expect(after).toMatchObject({ id: order.id, personalData: 'erased' });
    expect(after).not.toHaveProperty('shippingAddress');
    expect(after).not.toHaveProperty('email');
    expect(expectOk(await orders.inspectOrder(order.id))).toMatchObject({ personalData: 'erased', awaiting: expect.any(Array) });
  });
});
