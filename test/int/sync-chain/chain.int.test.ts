import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { HOPS } from '../../../scripts/bench/sync-chain/services';
import { available, LATENCY_MS, mailsOf, newProduct, placeOrder } from './client';

describe('the synchronous chain (bench baseline)', () => {
  it('calls inventory, payments, shipping and notifications one after another, and answers after the last', async () => {
    const sku = await newProduct(10);
    const { status, body, ms } = await placeOrder(sku, 2);

    expect(status, JSON.stringify(body)).toBe(201);
    if (!('order' in body)) throw new Error('no order');
    expect(body.hops.map((h) => [h.service, h.outcome])).toEqual(HOPS.map((service) => [service, 'done']));
    for (const hop of body.hops) expect(hop.ms).toBeGreaterThanOrEqual(LATENCY_MS);
    // One after another: the client waited for every hop's latency in turn, not for one of them.
    expect(ms).toBeGreaterThanOrEqual(HOPS.length * LATENCY_MS);
    expect(body.order).toMatchObject({ status: 'confirmed', totalCents: 3000, currency: 'EUR' });

    // Each service did its real work on its own storage.
    const orderId = body.order.id;
    expect(await available(sku)).toBe(8);
    expect((await env.PAYMENT_DO.getByName(orderId).read()).status).toBe('authorized');
    expect(await env.SHIPMENT_DO.getByName(orderId).read()).toBe('created');
    expect(await mailsOf(orderId)).toEqual([{ subject: expect.stringContaining('confirmed') }]);
  });

  it('stops at inventory when the stock is short: nothing is charged, shipped or mailed', async () => {
    const sku = await newProduct(1);
    const { status, body } = await placeOrder(sku, 2);

    expect(status, JSON.stringify(body)).toBe(409);
    if (!('error' in body)) throw new Error('no error');
    expect(body.error).toMatchObject({ code: 'out_of_stock', service: 'inventory' });
    expect(body.hops.map((h) => [h.service, h.outcome])).toEqual([['inventory', 'refused']]);
    expect(await available(sku)).toBe(1);
    expect((await env.PAYMENT_DO.getByName(body.orderId).read()).status).toBe('new');
    expect(await mailsOf(body.orderId)).toEqual([]);
  });

  it('refuses an order without a customer token, and an operator call without the key', async () => {
    const order = await SELF.fetch('https://chain/v1/orders', { method: 'POST', body: '{}' });
    expect(order.status).toBe(401);
    const product = await SELF.fetch('https://chain/v1/admin/products/X-1', {
      method: 'PUT',
      headers: { authorization: 'Bearer not-the-key' },
      body: JSON.stringify({ name: 'X', priceCents: 1, currency: 'EUR', stock: 1 }),
    });
    expect(product.status).toBe(401);
  });
});
