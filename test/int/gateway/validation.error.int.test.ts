import { env, exports } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';

const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
let customer: Record<string, string>;
const admin = () => ({ authorization: `Bearer ${env.ADMIN_API_KEY}` });

beforeAll(async () => {
  customer = {
    authorization: `Bearer ${await sign({ sub: 'cust_1', exp: Math.floor(Date.now() / 1000) + 600 }, env.JWT_SECRET, 'HS256')}`,
  };
});

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await exports.default.fetch(`https://gw.test${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

const placing = (body: unknown) => call('POST', '/v1/orders', customer, body);

describe('request validation', () => {
  it.each([
    ['an empty body', {}],
    ['no items', { items: [], shippingAddress: address, payment: { token: 'tok_visa' } }],
    ['quantity 0', { items: [{ sku: 'MUG', quantity: 0 }], shippingAddress: address, payment: { token: 'tok_visa' } }],
    ['a negative quantity', { items: [{ sku: 'MUG', quantity: -2 }], shippingAddress: address, payment: { token: 'tok_visa' } }],
    [
      'a fractional quantity',
      { items: [{ sku: 'MUG', quantity: 1.5 }], shippingAddress: address, payment: { token: 'tok_visa' } },
    ],
    [
      'a quantity above 1000',
      { items: [{ sku: 'MUG', quantity: 1001 }], shippingAddress: address, payment: { token: 'tok_visa' } },
    ],
    [
      '51 lines',
      {
        items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })),
        shippingAddress: address,
        payment: { token: 'tok_visa' },
      },
    ],
    [
      'a SKU with spaces',
      { items: [{ sku: 'no spaces', quantity: 1 }], shippingAddress: address, payment: { token: 'tok_visa' } },
    ],
    ['no address', { items: [{ sku: 'MUG', quantity: 1 }], payment: { token: 'tok_visa' } }],
    [
      'a bad country',
      {
        items: [{ sku: 'MUG', quantity: 1 }],
        shippingAddress: { ...address, country: 'Germany' },
        payment: { token: 'tok_visa' },
      },
    ],
    ['no payment token', { items: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, payment: {} }],
  ])('answers 400 with a code and message for %s', async (_, body) => {
    const res = await placing(body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.any(String),
    });
  });

  it('names the offending field', async () => {
    const res = await placing({ items: [{ sku: 'MUG', quantity: 0 }], shippingAddress: address, payment: { token: 'tok_visa' } });
    expect(res.body.error.message).toMatch(/items\.0\.quantity/);
  });

  it('refuses a product with a negative price or stock', async () => {
    const res = await call('PUT', '/v1/admin/products/MUG', admin(), { name: 'Mug', priceCents: -1, currency: 'EUR', stock: -5 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/priceCents/);
  });

  it('refuses a replay whose range is backwards, and one for a subscriber that does not exist', async () => {
    const backwards = await call('POST', '/v1/admin/replay', admin(), {
      from: '2026-11-02T00:00:00Z',
      to: '2026-11-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/from/);
    const nobody = await call('POST', '/v1/admin/replay', admin(), {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      subscribers: ['nobody'],
    });
    expect(nobody.status).toBe(400);
  });

  it('refuses a sales report without a proper day range', async () => {
    expect((await call('GET', '/v1/admin/reports/sales?from=yesterday&to=today', admin())).status).toBe(400);
  });

  it('answers 404 with an error body for an unknown route', async () => {
    const res = await call('GET', '/v1/nothing-here', {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers 404 for an order id that is not a UUID, without asking the orders service', async () => {
    const res = await call('GET', '/v1/orders/not-a-uuid', customer);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('order_not_found');
  });
});

describe('edge surface', () => {
  it('publishes an OpenAPI 3.1 document describing every route', async () => {
    const res = await call('GET', '/openapi.json', {});
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/v1/admin/audit',
      '/v1/admin/customers/{id}',
      '/v1/admin/dead-letters',
      '/v1/admin/dead-letters/{id}',
      '/v1/admin/dead-letters/{id}/redrive',
      '/v1/admin/exceptions',
      '/v1/admin/mail',
      '/v1/admin/metrics',
      '/v1/admin/metrics/prometheus',
      '/v1/admin/orders/{id}',
      '/v1/admin/orders/{id}/trace',
      '/v1/admin/products/{sku}',
      '/v1/admin/rebuild',
      '/v1/admin/replay',
      '/v1/admin/reports/sales',
      '/v1/admin/webhooks',
      '/v1/admin/webhooks/{id}',
      '/v1/admin/webhooks/{id}/deliveries',
      '/v1/orders',
      '/v1/orders/{id}',
      '/v1/orders/{id}/cancel',
      '/v1/orders/{id}/timeline',
      '/v1/products',
      '/v1/products/{sku}',
      '/v1/webhooks/carrier',
    ]);
  });

  it('sets secure headers and a request id on every answer', async () => {
    const response = await exports.default.fetch('https://gw.test/openapi.json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('limits', () => {
  it('refuses a body over 64 KB with 413 payload_too_large', async () => {
    const huge = JSON.stringify({ items: [], shippingAddress: address, payment: { token: 'x'.repeat(70 * 1024) } });
    const res = await call('POST', '/v1/orders', customer, huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers 429 with Retry-After once a customer has placed 60 orders in 10 seconds', async () => {
    const burst = {
      authorization: `Bearer ${await sign({ sub: 'cust_burst', exp: Math.floor(Date.now() / 1000) + 600 }, env.JWT_SECRET, 'HS256')}`,
    };
    // Invalid bodies are cheap and still count: the limit applies before validation. All at once: one
    // after another, a machine slow enough (a loaded CI run was) spreads them past the 10 s window.
    const statuses = await Promise.all(
      Array.from({ length: 61 }, async () => (await call('POST', '/v1/orders', burst, {})).status),
    );
    expect(statuses.filter((s) => s === 400)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    const limited = await exports.default.fetch('https://gw.test/v1/orders', { method: 'POST', headers: burst, body: '{}' });
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another customer is not affected.
    expect((await call('POST', '/v1/orders', customer, {})).status).toBe(400);
  });
});
