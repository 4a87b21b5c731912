import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProductUpserted } from '../../../workers/orders/catalog';
import { makeOrderInput, makeProduct, traceparent } from '../../helpers/fixtures';
import { expectError, expectOk } from '../../helpers/reply';

const orders = exports.OrdersService;
const body = (quantity = 1, sku = 'HAT') => makeOrderInput(sku, quantity);

beforeAll(async () => {
  await applyProductUpserted(env.DB, makeProduct({ sku: 'HAT', name: 'Hat', priceCents: 2000 }));
});

describe('Idempotency-Key', () => {
  it('answers the same order again for the same key and body', async () => {
    const key = crypto.randomUUID();
    const first = await orders.placeOrder('cust_1', body(), traceparent, key);
    const again = await orders.placeOrder('cust_1', body(), traceparent, key);
    expect(first).toMatchObject({ ok: true, value: { replayed: false } });
    expect(again).toEqual({ ok: true, value: { order: first.ok && first.value.order, replayed: true } });
  });

  it('refuses the same key with another body: 422', async () => {
    const key = crypto.randomUUID();
    await orders.placeOrder('cust_1', body(1), traceparent, key);
    expect(expectError(await orders.placeOrder('cust_1', body(2), traceparent, key), 'idempotency_key_reused').status).toBe(422);
  });

  it('places one order for two concurrent requests with one key: the other gets its answer replayed', async () => {
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([
      orders.placeOrder('cust_1', body(), traceparent, key),
      orders.placeOrder('cust_1', body(), traceparent, key),
    ]);
    const outcomes = [a, b].map((r) => (r.ok ? (r.value.replayed ? 'replayed' : 'placed') : r.error.code)).sort();
    expect(outcomes).toEqual(['placed', 'replayed']);
  });

  it('does not hold a key whose request was refused before placing: a retry runs again', async () => {
    const key = crypto.randomUUID();
    expectError(await orders.placeOrder('cust_1', body(1, 'LATE'), traceparent, key), 'unknown_sku');
    // The catalog replica learns of the SKU; the same request with the same key now succeeds.
    await applyProductUpserted(env.DB, {
      sku: 'LATE',
      name: 'Late',
      priceCents: 100,
      currency: 'EUR',
      stock: 1,
      available: 1,
      version: 1,
    });
    expect(expectOk(await orders.placeOrder('cust_1', body(1, 'LATE'), traceparent, key)).replayed).toBe(false);
  });

  it('keeps keys of different customers apart', async () => {
    const key = crypto.randomUUID();
    const mine = await orders.placeOrder('cust_1', body(), traceparent, key);
    const theirs = await orders.placeOrder('cust_2', body(), traceparent, key);
    expect(expectOk(mine).order.id).not.toBe(expectOk(theirs).order.id);
  });

  it('places a new order for every request without a key', async () => {
    const a = await orders.placeOrder('cust_1', body(), traceparent);
    const b = await orders.placeOrder('cust_1', body(), traceparent);
    expect(expectOk(a).order.id).not.toBe(expectOk(b).order.id);
  });
});
