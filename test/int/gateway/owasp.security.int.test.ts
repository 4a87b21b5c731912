// The OWASP API Security Top 10 (2023), attack by attack, at the gateway: each is refused, with a
// documented code, and reaches no service that could change state (the fake services record every
// call). The same attacks against the whole topology, with real state: test/system/owasp.security.system.test.ts.
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../shared/ids';
import { type Answer, bearer, call, idToken, jwksEnv, now } from './client';
import { fakeServices } from './fakes';

const tokenFor = (sub: string, claims: object = {}) => sign({ sub, exp: now() + 600, ...claims }, env.JWT_SECRET, 'HS256');
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const order = { items: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, payment: { token: 'tok_visa' } };
const product = { name: 'Mug', priceCents: 1200, currency: 'EUR', stock: 5 };

const readerKey = `cvk_${crypto.randomUUID()}`;
const ADMIN_KEYS = `rita:read:${await sha256(readerKey)}`;

/** Every admin route, as method and path. */
const adminRoutes: [string, string, unknown?][] = [
  ['GET', '/v1/admin/dead-letters'],
  ['GET', '/v1/admin/dead-letters/dl_1'],
  ['POST', '/v1/admin/dead-letters/dl_1/redrive'],
  ['DELETE', '/v1/admin/dead-letters/dl_1'],
  ['POST', '/v1/admin/replay', { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }],
  ['POST', '/v1/admin/rebuild'],
  ['GET', '/v1/admin/reports/sales?from=2026-11-01&to=2026-11-02'],
  ['PUT', '/v1/admin/products/MUG', product],
  ['GET', '/v1/admin/webhooks'],
  ['POST', '/v1/admin/webhooks', { url: 'https://hooks.shop.example/x' }],
  ['DELETE', '/v1/admin/webhooks/wh_1'],
  ['GET', '/v1/admin/webhooks/wh_1/deliveries'],
  ['GET', '/v1/admin/mail'],
  ['GET', '/v1/admin/audit'],
];

const refusedWith = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
};

describe('API1:2023 Broken Object Level Authorization', () => {
  it("refuses another customer's order, its timeline and its cancel as not found, reaching no Durable Object", async () => {
    const fake = fakeServices();
    const placed = await call('POST', '/v1/orders', { env: fake.env, headers: bearer(await tokenFor('cust_ann')), body: order });
    const bob = bearer(await tokenFor('cust_bob'));
    fake.calls.length = 0;
    for (const [method, path] of [
      ['GET', `/v1/orders/${placed.body.id}`],
      ['GET', `/v1/orders/${placed.body.id}/timeline`],
      ['POST', `/v1/orders/${placed.body.id}/cancel`],
    ] as const) {
      refusedWith(await call(method, path, { env: fake.env, headers: bob }), 404, 'order_not_found');
    }
    expect(fake.calls.map((c) => `${c.service}.${c.method}`)).toEqual(['query.hasOrder', 'query.hasOrder', 'query.hasOrder']);
  });

  it("refuses another customer's consistency token (403), and lists only the caller's own orders", async () => {
    const fake = fakeServices();
    const placed = await call('POST', '/v1/orders', { env: fake.env, headers: bearer(await tokenFor('cust_ann')), body: order });
    const bob = bearer(await tokenFor('cust_bob'));
    const res = await call('GET', `/v1/orders?consistencyToken=${encodeURIComponent(placed.body.consistencyToken)}`, {
      env: fake.env,
      headers: bob,
    });
    refusedWith(res, 403, 'consistency_token_not_yours');
    await call('GET', '/v1/orders?customerId=cust_ann', { env: fake.env, headers: bob });
    expect(
      fake.calls.filter((c) => c.method === 'listOrders').map((c) => (c.args[0] as { customerId: string }).customerId),
    ).toEqual(['cust_bob']);
  });
});

describe('API2:2023 Broken Authentication', () => {
  it.each([
    ['no token', {}, 'missing_credentials'],
    ['a token in the query string instead of the header', {}, 'missing_credentials', '?access_token=x'],
    ['Bearer undefined', bearer('undefined'), 'invalid_token'],
    ['Bearer null', bearer('null'), 'invalid_token'],
    [
      'an unsigned token (alg none)',
      bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdXN0XzEiLCJleHAiOjk5OTk5OTk5OTl9.'),
      'invalid_token',
    ],
    ['a Basic credential', { authorization: 'Basic YWRtaW46YWRtaW4=' }, 'missing_credentials'],
  ])('refuses %s', async (_, headers, code, query = '') => {
    const fake = fakeServices();
    refusedWith(await call('POST', `/v1/orders${query}`, { env: fake.env, headers, body: order }), 401, code);
    expect(fake.calls).toEqual([]);
  });

  it('refuses forged and stale tokens of the production identity, placing nothing', async () => {
    const fake = fakeServices();
    const production = {
      ...fake.env,
      ...Object.fromEntries(
        [
          'AUTH_MODE',
          'JWKS_URL',
          'ISSUER',
          'AUDIENCE',
          'JWT_SECRET',
          'ADMIN_API_KEY',
          'ADMIN_KEYS',
          'CARRIER_WEBHOOK_SECRET',
          'CONSISTENCY_SECRET',
        ].map((k) => [k, jwksEnv[k as keyof Env]]),
      ),
    } as Env;
    const forged = [
      await tokenFor('cust_1'),
      await idToken({ exp: now() - 3600 }),
      await idToken({ exp: undefined }),
      await idToken({ aud: 'https://other.api' }),
      await idToken({ iss: 'https://evil.test/' }),
      await idToken({}, { kid: 'someone-elses-key' }),
    ];
    const codes = [];
    for (const token of forged)
      codes.push((await call('POST', '/v1/orders', { env: production, headers: bearer(token), body: order })).body.error.code);
    expect(codes).toEqual([
      'invalid_token',
      'token_expired',
      'invalid_token_claims',
      'invalid_token_claims',
      'invalid_token_claims',
      'invalid_token',
    ]);
    expect(fake.calls).toEqual([]);
  });

  it('never takes an operator key that is not in ADMIN_KEYS, and writes no audit entry for guesses', async () => {
    const fake = fakeServices({ ADMIN_KEYS });
    for (const guess of ['admin', 'local-admin-key-x', await sha256(readerKey), `${readerKey}x`, readerKey.toUpperCase()]) {
      const res = await call('POST', '/v1/admin/dead-letters/dl_1/redrive', { env: fake.env, headers: bearer(guess) });
      expect(res.status, guess).toBe(401);
    }
    expect(fake.calls).toEqual([]);
  });
});

describe('API3:2023 Broken Object Property Level Authorization', () => {
  it('ignores properties a customer may not set: the price, the status, the customer, the version', async () => {
    const fake = fakeServices();
    const sneaky = {
      ...order,
      items: [{ sku: 'MUG', quantity: 1, unitPriceCents: 1 }],
      status: 'confirmed',
      totalCents: 1,
      customerId: 'cust_victim',
      version: 99,
    };
    await call('POST', '/v1/orders', { env: fake.env, headers: bearer(await tokenFor('cust_ann')), body: sneaky });
    const [customerId, input] = fake.calls.find((c) => c.method === 'placeOrder')!.args as [string, object];
    expect(customerId).toBe('cust_ann');
    expect(input).toEqual(order);
  });

  it('ignores properties an operator may not set on a product: availability, version', async () => {
    const fake = fakeServices();
    await call('PUT', '/v1/admin/products/MUG', {
      env: fake.env,
      headers: bearer(env.ADMIN_API_KEY),
      body: { ...product, available: 10_000, version: 1 },
    });
    expect(fake.calls.find((c) => c.method === 'upsertProduct')!.args[1]).toEqual(product);
  });
});

describe('API4:2023 Unrestricted Resource Consumption', () => {
  it.each([
    ['a body over 64 KB', 'POST', '/v1/orders', { ...order, pad: 'x'.repeat(70 * 1024) }, 413, 'payload_too_large'],
    [
      '51 order lines',
      'POST',
      '/v1/orders',
      { ...order, items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) },
      400,
      'invalid_request',
    ],
    [
      'a quantity above 1000',
      'POST',
      '/v1/orders',
      { ...order, items: [{ sku: 'MUG', quantity: 1001 }] },
      400,
      'invalid_request',
    ],
    ['a page of 1000 orders', 'GET', '/v1/orders?limit=1000', undefined, 400, 'invalid_request'],
    ['a cursor of 10 KB', 'GET', `/v1/orders?cursor=${'a'.repeat(10_000)}`, undefined, 400, 'invalid_request'],
  ])('refuses %s before any service is asked', async (_, method, path, body, status, code) => {
    const fake = fakeServices();
    refusedWith(await call(method, path, { env: fake.env, headers: bearer(await tokenFor('cust_greedy')), body }), status, code);
    expect(fake.calls).toEqual([]);
  });

  it('answers unknown SKUs from the listing, never from a Durable Object', async () => {
    const fake = fakeServices();
    for (let i = 0; i < 20; i++)
      refusedWith(await call('GET', `/v1/products/NOPE-${i}`, { env: fake.env }), 404, 'product_not_found');
    expect(fake.calls.every((c) => c.method === 'listProducts')).toBe(true);
  });

  it('caps waits and rate-limits reads (see reads.security.int.test.ts)', async () => {
    const fake = fakeServices();
    // All at once: sent one after another on a loaded machine, 320 reads can outlast the 10 s window.
    const answers = await Promise.all(
      Array.from({ length: 320 }, () =>
        call('GET', '/v1/products?limit=1', { env: fake.env, headers: { 'cf-connecting-ip': '192.0.2.44' } }),
      ),
    );
    expect([...new Set(answers.map((a) => a.status))].sort()).toEqual([200, 429]);
  });
});

describe('API5:2023 Broken Function Level Authorization', () => {
  it.each(adminRoutes)('refuses a customer token on %s %s', async (method, path, body) => {
    const fake = fakeServices({ ADMIN_KEYS });
    refusedWith(
      await call(method, path, { env: fake.env, headers: bearer(await tokenFor('cust_1')), body }),
      401,
      'admin_key_required',
    );
    expect(fake.calls).toEqual([]);
  });

  it('lets a read-only key read and nothing more', async () => {
    const fake = fakeServices({ ADMIN_KEYS });
    const outcomes: string[] = [];
    for (const [method, path, body] of adminRoutes) {
      const res = await call(method, path, { env: fake.env, headers: bearer(readerKey), body });
      outcomes.push(`${method} ${res.status === 403 ? 'refused' : 'allowed'}`);
    }
    expect(outcomes.filter((o) => o.endsWith('allowed')).every((o) => o.startsWith('GET'))).toBe(true);
    expect(outcomes.filter((o) => o.startsWith('GET')).every((o) => o.endsWith('allowed'))).toBe(true);
    expect(fake.writes()).toEqual([]);
    expect(fake.audit.filter((e) => e.status === 403).map((e) => e.action)).toEqual([
      'dead-letter.redrive',
      'dead-letter.discard',
      'archive.replay',
      'read-model.rebuild',
      'product.upsert',
      'webhook.create',
      'webhook.delete',
    ]);
  });

  it('asks for a key before it says whether an admin route exists', async () => {
    refusedWith(await call('GET', '/v1/admin/secret-backdoor'), 401, 'missing_credentials');
    refusedWith(
      await call('GET', '/v1/admin/secret-backdoor', { headers: bearer(await tokenFor('c')) }),
      401,
      'admin_key_required',
    );
  });

  it('does not let a method be swapped to reach another function', async () => {
    const fake = fakeServices();
    const ann = bearer(await tokenFor('cust_ann'));
    for (const [method, path] of [
      ['DELETE', `/v1/orders/${crypto.randomUUID()}`],
      ['PUT', `/v1/orders/${crypto.randomUUID()}`],
      ['PATCH', '/v1/products/MUG'],
      ['DELETE', '/v1/products/MUG'],
    ]) {
      refusedWith(await call(method!, path!, { env: fake.env, headers: ann, body: {} }), 404, 'not_found');
    }
    expect(fake.writes()).toEqual([]);
  });
});

describe('API6:2023 Unrestricted Access to Sensitive Business Flows', () => {
  it("caps one customer's order placing at 60 per 10 s", async () => {
    const fake = fakeServices();
    const buyer = bearer(await tokenFor('cust_scalper'));
    // All at once: one after another, a machine slow enough would spread them past the 10 s window.
    const statuses = (
      await Promise.all(
        Array.from({ length: 61 }, () => call('POST', '/v1/orders', { env: fake.env, headers: buyer, body: order })),
      )
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(fake.calls.filter((c) => c.method === 'placeOrder').length).toBeLessThanOrEqual(60);
  });
});

describe('API7:2023 Server Side Request Forgery', () => {
  it('hands webhook URLs to notifications, which refuses inward ones (see outbound.security.int.test.ts); the gateway refuses non-http schemes itself', async () => {
    const fake = fakeServices();
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:6379/_FLUSHALL', 'javascript:alert(1)', 'ftp://internal/']) {
      refusedWith(
        await call('POST', '/v1/admin/webhooks', { env: fake.env, headers: bearer(env.ADMIN_API_KEY), body: { url } }),
        400,
        'invalid_request',
      );
    }
    expect(fake.writes()).toEqual([]);
  });
});

describe('API8:2023 Security Misconfiguration', () => {
  it('sets secure headers, and no CORS credentials', async () => {
    const res = await call('GET', '/v1/products', { env: fakeServices().env, headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses to serve with a weak secret (see config.security.int.test.ts)', async () => {
    const weak = { ...env, JWT_SECRET: 'secret' } as Env;
    refusedWith(await call('GET', '/v1/products', { env: weak }), 503, 'misconfigured');
  });

  it('answers TRACE and unknown methods without echoing the request', async () => {
    const res = await call('TRACE', '/v1/products', { headers: { 'x-secret': 'echo-me' } });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('echo-me');
  });
});

describe('API9:2023 Improper Inventory Management', () => {
  it('serves only what the OpenAPI document lists, under /v1', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/v1/'))).toBe(true);
    for (const path of [
      '/v0/orders',
      '/v2/orders',
      '/health',
      '/v1/health',
      '/internal',
      '/v1/debug',
      '/.env',
      '/wrangler.toml',
    ]) {
      refusedWith(await call('GET', path), 404, 'not_found');
    }
  });

  it('documents a security requirement, with its scope, on every admin route', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: object[] }>>)) {
      if (!path.startsWith('/v1/admin/')) continue;
      for (const [method, operation] of Object.entries(item)) {
        expect(operation.security, `${method} ${path}`).toEqual([
          { admin: [expect.stringMatching(/^(read|operate|catalog|webhooks|privacy)$/)] },
        ]);
      }
    }
  });
});

describe('API10:2023 Unsafe Consumption of APIs', () => {
  it('refuses a carrier update that is unsigned, forged or stale, reaching no service (see carrier.security.int.test.ts)', async () => {
    const fake = fakeServices();
    const body = JSON.stringify({ id: 'x', orderId: crypto.randomUUID(), status: 'delivered' });
    for (const signature of ['', 't=1,v1=00', `t=${now()},v1=${'0'.repeat(64)}`, `t=${now() - 3600},v1=${'a'.repeat(64)}`]) {
      refusedWith(
        await call('POST', '/v1/webhooks/carrier', { env: fake.env, headers: { 'carrier-signature': signature }, body }),
        401,
        'invalid_signature',
      );
    }
    expect(fake.calls).toEqual([]);
  });

  it("takes no key from the identity provider's key set that it should not (see identity.security.int.test.ts)", async () => {
    const res = await call('GET', '/v1/orders', {
      env: jwksEnv,
      headers: bearer(await idToken({}, { alg: 'HS256', kid: 'rsa-1' })),
    });
    refusedWith(res, 401, 'invalid_token');
  });
});
