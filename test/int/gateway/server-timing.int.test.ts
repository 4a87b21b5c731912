import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { serverTiming } from '../../../scripts/bench/profile';
import { bearer, call, now } from './client';
import { fakeServices } from './fakes';

const tokenFor = (sub: string) => sign({ sub, exp: now() + 600 }, env.JWT_SECRET, 'HS256');
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const order = { items: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, payment: { token: 'tok_visa' } };

describe('Server-Timing', () => {
  it('says how long placing took at the gateway, and how much of it the orders service', async () => {
    const fake = fakeServices();
    const placed = await call('POST', '/v1/orders', { env: fake.env, headers: bearer(await tokenFor('cust_t')), body: order });
    expect(placed.status, placed.text).toBe(202);
    const metrics = serverTiming(placed.headers.get('server-timing'));
    const [total, orders] = [metrics.get('total'), metrics.get('orders')];
    expect(total).toBeGreaterThanOrEqual(0);
    expect(orders).toBeGreaterThanOrEqual(0);
    expect(orders).toBeLessThanOrEqual(total!);
    expect(placed.headers.get('server-timing')).toContain('desc="gateway"');
  });

  it('answers every API route with the total, an error too; not the pages outside /v1', async () => {
    const missing = await call('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(serverTiming(missing.headers.get('server-timing')).get('total')).toBeGreaterThanOrEqual(0);
    // No other origin's script can read it (no Timing-Allow-Origin).
    expect(missing.headers.get('timing-allow-origin')).toBeNull();
    expect((await call('GET', '/')).headers.get('server-timing')).toBeNull();
  });
});
