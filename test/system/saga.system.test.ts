import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMED_SAGA } from '../../shared/confirmed-saga';
import type { Freshness, OrderSummary } from '../../shared/responses';
import { address, call, eventually, newProduct, orderBody, tokenFor } from './client';
import { shop } from './shop';

type OrderList = { items: OrderSummary[]; nextCursor: string | null; freshness: Freshness };

let token: string;

beforeAll(async () => {
  token = await tokenFor(`cust_${crypto.randomUUID().slice(0, 8)}`);
});

const customer = shop(() => token);
const { settled, product } = customer;

async function place(sku: string, quantity: number, card = 'tok_visa') {
  const answer = await customer.place(orderBody(sku, quantity, card));
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer;
}

/** The timeline once it holds every type in `mustInclude`. */
const timeline = (id: string, mustInclude: readonly string[]) =>
  eventually(async () => {
    const events = await customer.timeline(id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining([...mustInclude]));
    return events;
  });

describe('an order through the whole topology', () => {
  it('confirms with tok_visa: every service shows in the timeline and the stock is taken', async () => {
    const sku = await newProduct(10, 1250);
    const placed = await place(sku, 3);
    expect(placed.headers.get('location')).toBe(`/v1/orders/${placed.body.id}`);
    expect(placed.body).toMatchObject({ status: 'pending', totalCents: 3750, currency: 'EUR' });

    const order = await settled(placed.body.id, 'confirmed');
    // placed, stock, payment, confirmed; then the steps after confirmation as they complete.
    expect(order.version).toBeGreaterThanOrEqual(4);

    const events = await timeline(placed.body.id, CONFIRMED_SAGA);
    expect(new Set(events.map((e) => e.source))).toEqual(
      new Set(['orders', 'inventory', 'payments', 'shipping', 'notifications']),
    );
    expect(events.map((e) => e.occurredAt)).toEqual([...events.map((e) => e.occurredAt)].sort());

    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 7, available: 7 }));

    const list = await eventually(async () => {
      const { body } = await call<OrderList>('GET', '/v1/orders', { token });
      const row = body.items.find((o) => o.id === placed.body.id);
      expect(row?.status).toBe('confirmed');
      return body;
    });
    expect(list.freshness.projectedAt).toEqual(expect.any(String));
  });

  it('cancels with payment_declined for tok_chargeDeclined and gives the stock back', async () => {
    const sku = await newProduct(10);
    const placed = await place(sku, 4, 'tok_chargeDeclined');
    const order = await settled(placed.body.id, 'cancelled');
    expect(order.cancelReason).toBe('payment_declined');
    await timeline(placed.body.id, ['payment.declined', 'order.cancelled', 'inventory.released', 'notification.sent']);
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 10, available: 10 }));
  });

  it('cancels with out_of_stock when the quantity is above stock, and voids the authorization', async () => {
    const sku = await newProduct(2);
    const placed = await place(sku, 3);
    const order = await settled(placed.body.id, 'cancelled');
    expect(order.cancelReason).toBe('out_of_stock');
    const events = await timeline(placed.body.id, ['inventory.rejected', 'order.cancelled', 'payment.voided']);
    expect(events.map((e) => e.type)).not.toContain('payment.captured');
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 2, available: 2 }));
  });
});

describe('the public API refuses bad requests with 4xx, never 500', () => {
  it('answers 422 unknown_sku for a SKU not in the catalog', async () => {
    const answer = await call('POST', '/v1/orders', {
      token,
      body: { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }], shippingAddress: address, payment: { token: 'tok_visa' } },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'unknown_sku', message: 'unknown SKU: NO-SUCH-SKU' });
  });

  it('answers 400 for quantity 0 and 401 without a token', async () => {
    const sku = await newProduct(1);
    const body = { items: [{ sku, quantity: 0 }], shippingAddress: address, payment: { token: 'tok_visa' } };
    expect((await call('POST', '/v1/orders', { token, body })).status).toBe(400);
    expect((await call('POST', '/v1/orders', { body: { ...body, items: [{ sku, quantity: 1 }] } })).status).toBe(401);
  });

  it("answers 404 for another customer's order and keeps it out of their list", async () => {
    const sku = await newProduct(5);
    const mine = await place(sku, 1);
    const stranger = await tokenFor('cust_stranger');
    const peek = await call('GET', `/v1/orders/${mine.body.id}`, { token: stranger });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('order_not_found');
    expect((await call('GET', `/v1/orders/${mine.body.id}/timeline`, { token: stranger })).status).toBe(404);
    const theirs = await call<OrderList>('GET', '/v1/orders', { token: stranger });
    expect(theirs.body.items.map((o) => o.id)).not.toContain(mine.body.id);
  });

  it('answers 404 for an unknown product', async () => {
    const answer = await call('GET', '/v1/products/NOPE-404');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('product_not_found');
  });
});
