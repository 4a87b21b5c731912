import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { available, LATENCY_MS, mailsOf, newProduct, placeOrder } from '../sync-chain/client';

// vitest.config.ts runs this project with SIMULATED_OUTAGE_SERVICE=payments until the year 2999.
describe('the synchronous chain with payments down', () => {
  it('fails the order at payments, never reaches shipping or notifications, and gives the stock back', async () => {
    const sku = await newProduct(5);
    const { status, body } = await placeOrder(sku, 2);

    expect(status, JSON.stringify(body)).toBe(503);
    if (!('error' in body)) throw new Error('no error');
    expect(body.error).toMatchObject({ code: 'service_unavailable', service: 'payments' });
    expect(body.error.message).toContain('payments is down (simulated outage until 2999-01-01T00:00:00.000Z)');
    expect(body.hops.map((h) => [h.service, h.outcome])).toEqual([
      ['inventory', 'done'],
      ['payments', 'failed'],
    ]);
    // Down means no answer at once, not a slow one.
    expect(body.hops[1]!.ms).toBeLessThan(LATENCY_MS);

    expect(await available(sku)).toBe(5);
    expect((await env.PAYMENT_DO.getByName(body.orderId).read()).status).toBe('new');
    expect(await env.SHIPMENT_DO.getByName(body.orderId).read()).toBeNull();
    expect(await mailsOf(body.orderId)).toEqual([]);
  });
});
