import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { ok } from '../../../shared/errors';
import { bearer, call, now, type Answer as Reply } from './client';
import { fakeServices } from './fakes';

const tokenFor = (sub: string) => sign({ sub, exp: now() + 600 }, env.JWT_SECRET, 'HS256');
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const order = { items: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, payment: { token: 'tok_visa' } };

async function place(fake: ReturnType<typeof fakeServices>, customer: string) {
  const placed = await call('POST', '/v1/orders', { env: fake.env, headers: bearer(await tokenFor(customer)), body: order });
  expect(placed.status, placed.text).toBe(202);
  return placed.body as { id: string; consistencyToken: string };
}

describe('consistency tokens are bound to the customer', () => {
  it("waits for the customer's own write, and refuses another customer's token with 403", async () => {
    const fake = fakeServices();
    const { id, consistencyToken } = await place(fake, 'cust_ann');
    const path = `/v1/orders?consistencyToken=${encodeURIComponent(consistencyToken)}`;

    const own = await call('GET', path, { env: fake.env, headers: bearer(await tokenFor('cust_ann')) });
    expect(own.status, own.text).toBe(200);
    expect(fake.calls.find((c) => c.method === 'listOrders')?.args[0]).toMatchObject({
      customerId: 'cust_ann',
      awaitWrite: { orderId: id, version: 1 },
    });

    fake.calls.length = 0;
    const theirs = await call('GET', path, { env: fake.env, headers: bearer(await tokenFor('cust_bob')) });
    expect(theirs.status, theirs.text).toBe(403);
    expect(theirs.body.error).toMatchObject({
      code: 'consistency_token_not_yours',
      message: 'the consistency token was issued to another customer',
    });
    expect(fake.calls).toEqual([]);
  });

  it.each([
    ['unsigned, in the old format', () => btoa(JSON.stringify({ o: crypto.randomUUID(), v: 1 })).replace(/=+$/, '')],
    [
      'with its subject changed',
      (t: string) =>
        `${btoa(JSON.stringify({ o: crypto.randomUUID(), v: 1, s: 'cust_bob' })).replace(/=+$/, '')}.${t.split('.')[1]}`,
    ],
    ['with its signature cut', (t: string) => t.split('.')[0]!],
    ['garbage', () => 'not-a-token'],
  ])('refuses a token %s with 400 invalid_consistency_token', async (_, forge) => {
    const fake = fakeServices();
    const { consistencyToken } = await place(fake, 'cust_ann');
    fake.calls.length = 0;
    const res = await call('GET', `/v1/orders?consistencyToken=${encodeURIComponent(forge(consistencyToken))}`, {
      env: fake.env,
      headers: bearer(await tokenFor('cust_bob')),
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('invalid_consistency_token');
    expect(fake.calls).toEqual([]);
  });
});

describe('waits are capped', () => {
  it('lets a customer hold two waits at once; a third is refused with 429 too_many_waits', async () => {
    const release: (() => void)[] = [];
    const fake = fakeServices(
      {},
      {
        query: {
          listOrders: () =>
            new Promise((resolve) =>
              release.push(() =>
                resolve(ok({ items: [], nextCursor: null, freshness: { projectedAt: null, lastEventAt: null } })),
              ),
            ),
        },
      },
    );
    const { consistencyToken } = await place(fake, 'cust_waits');
    const headers = bearer(await tokenFor('cust_waits'));
    const path = `/v1/orders?consistencyToken=${encodeURIComponent(consistencyToken)}`;
    const waiting = [call('GET', path, { env: fake.env, headers }), call('GET', path, { env: fake.env, headers })];
    await new Promise((r) => setTimeout(r, 50));
    const third = await call('GET', path, { env: fake.env, headers });
    expect(third.status, third.text).toBe(429);
    expect(third.body.error.code).toBe('too_many_waits');
    expect(third.headers.get('retry-after')).toBe('1');
    // Another customer is not held up by this one.
    const { consistencyToken: other } = await place(fake, 'cust_other');
    const elsewhere = call('GET', `/v1/orders?consistencyToken=${encodeURIComponent(other)}`, {
      env: fake.env,
      headers: bearer(await tokenFor('cust_other')),
    });
    await new Promise((r) => setTimeout(r, 50));
    for (const r of release) r();
    expect((await Promise.all([...waiting, elsewhere])).map((r: Reply) => r.status)).toEqual([200, 200, 200]);
  });
});

/** The local limiter counts in fixed 10 s windows: start a burst early in one, so it cannot straddle two. */
async function freshWindow() {
  const left = 10_000 - (Date.now() % 10_000);
  if (left < 4_000) await new Promise((r) => setTimeout(r, left + 20));
}

describe('reads are rate-limited per client', () => {
  it('answers 429 with Retry-After once an anonymous client has read 300 times in 10 s; other clients read on', async () => {
    const fake = fakeServices();
    const from = (ip: string) => ({ env: fake.env, headers: { 'cf-connecting-ip': ip } });
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++) statuses.push((await call('GET', '/v1/products?limit=1', from('203.0.113.7'))).status);
    expect(statuses.slice(0, 300).filter((s) => s !== 200)).toEqual([]);
    const limited = await call('GET', '/v1/products?limit=1', from('203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('10');
    expect((await call('GET', '/v1/products?limit=1', from('203.0.113.8'))).status).toBe(200);
  });

  it("limits a customer's reads by their token's subject, wherever they come from", async () => {
    const fake = fakeServices();
    const headers = (ip: string) => ({ ...bearer(token), 'cf-connecting-ip': ip });
    const token = await tokenFor('cust_reader');
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++)
      statuses.push((await call('GET', '/v1/orders', { env: fake.env, headers: headers(`198.51.100.${i % 250}`) })).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await call('GET', '/v1/orders', { env: fake.env, headers: headers('198.51.100.251') })).status).toBe(429);
    const someoneElse = bearer(await tokenFor('cust_someone_else'));
    expect((await call('GET', '/v1/orders', { env: fake.env, headers: someoneElse })).status).toBe(200);
  });
});

describe('unknown ids never reach a Durable Object', () => {
  it('answers 404 for an unknown SKU from the listing alone, and reads a known one from its object', async () => {
    const fake = fakeServices();
    for (const sku of ['NOPE-1', 'MUF', 'MUG-X', 'MUGG', 'A', 'ZZZ']) {
      const res = await call('GET', `/v1/products/${sku}`, { env: fake.env });
      expect(res.status, `${sku}: ${res.text}`).toBe(404);
      expect(res.body.error.code).toBe('product_not_found');
    }
    expect(fake.calls.filter((c) => c.method === 'getProduct')).toEqual([]);
    for (const sku of ['MUG', 'MUG-XL', 'HAT', 'TSHIRT'])
      expect((await call('GET', `/v1/products/${sku}`, { env: fake.env })).status).toBe(200);
    expect(fake.calls.filter((c) => c.method === 'getProduct').map((c) => c.args[0])).toEqual(['MUG', 'MUG-XL', 'HAT', 'TSHIRT']);
  });

  it("answers 404 for an unknown or another customer's order id without asking the orders service", async () => {
    const fake = fakeServices();
    const { id: bobs } = await place(fake, 'cust_bob');
    const ann = bearer(await tokenFor('cust_ann'));
    fake.calls.length = 0;
    for (const path of [`/v1/orders/${crypto.randomUUID()}`, `/v1/orders/${bobs}`, `/v1/orders/${bobs}/timeline`]) {
      const res = await call('GET', path, { env: fake.env, headers: ann });
      expect(res.status, res.text).toBe(404);
      expect(res.body.error.code).toBe('order_not_found');
    }
    const cancel = await call('POST', `/v1/orders/${bobs}/cancel`, { env: fake.env, headers: ann });
    expect(cancel.status).toBe(404);
    expect(fake.calls.map((c) => `${c.service}.${c.method}`)).toEqual([
      'query.hasOrder',
      'query.hasOrder',
      'query.hasOrder',
      'query.hasOrder',
    ]);
  });

  it('reads an order it just placed straight from its object, and one the read model knows', async () => {
    const fake = fakeServices();
    const ann = bearer(await tokenFor('cust_ann'));
    const { id } = await place(fake, 'cust_ann');
    fake.calls.length = 0;
    expect((await call('GET', `/v1/orders/${id}`, { env: fake.env, headers: ann })).status).toBe(200);
    expect(fake.calls.map((c) => c.method)).toEqual(['getOrder']);

    const older = crypto.randomUUID();
    fake.orders.set(older, 'cust_ann');
    fake.calls.length = 0;
    expect((await call('GET', `/v1/orders/${older}`, { env: fake.env, headers: ann })).status).toBe(200);
    expect(fake.calls.map((c) => c.method)).toEqual(['hasOrder', 'getOrder']);
  });
});
