import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProductUpserted } from '../../../workers/orders/catalog';
import { makeOrderInput, makeProduct, traceparent } from '../../helpers/fixtures';

const orders = exports.OrdersService;

describe('OrdersService', () => {
  beforeAll(async () => {
    await applyProductUpserted(env.DB, makeProduct({ sku: 'CAP', name: 'Cap', priceCents: 1500 }));
  });

  it('prices an order from the catalog replica, not from the client', async () => {
    const answer = await orders.placeOrder('cust_1', makeOrderInput('CAP', 2), traceparent);
    expect(answer).toMatchObject({
      ok: true,
      value: {
        order: { status: 'pending', totalCents: 3000, items: [{ sku: 'CAP', name: 'Cap', quantity: 2, unitPriceCents: 1500 }] },
        replayed: false,
      },
    });
  });

  it('answers 422 unknown_sku for a SKU the catalog does not have', async () => {
    const answer = await orders.placeOrder('cust_1', makeOrderInput('NOPE'), traceparent);
    expect(answer).toEqual({ ok: false, error: { code: 'unknown_sku', message: 'unknown SKU: NOPE', status: 422 } });
  });

  it('answers 400 for input that skipped the gateway validation', async () => {
    const answer = await orders.placeOrder(
      'cust_1',
      { ...makeOrderInput('CAP'), items: [], payment: { token: '' } },
      traceparent,
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request', status: 400 } });
  });

  it('answers 404 for an order that does not exist', async () => {
    expect(await orders.getOrder(crypto.randomUUID())).toMatchObject({
      ok: false,
      error: { code: 'order_not_found', status: 404 },
    });
  });
});
