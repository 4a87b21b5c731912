import { env, exports } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';

const order = {
  items: [{ sku: 'TSHIRT', quantity: 1 }],
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
  payment: { token: 'tok_visa' },
};

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const response = await exports.default.fetch(`https://gw.test${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, text };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

function base64url(value: object) {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

describe('customer auth', () => {
  it('refuses a request without a token: 401 with a code, a message and the request id', async () => {
    const res = await call('POST', '/v1/orders', {}, order);
    expect(res.status, res.text).toBe(401);
    expect(res.body.error).toEqual({
      code: 'missing_credentials',
      message: expect.any(String),
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await sign({ sub: 'cust_1', exp: now() + 60 }, 'not-the-secret', 'HS256');
    expect((await call('GET', '/v1/orders', bearer(token))).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await sign({ sub: 'cust_1', exp: now() - 60 }, env.JWT_SECRET, 'HS256');
    expect((await call('GET', '/v1/orders', bearer(token))).status).toBe(401);
  });

  it('refuses alg "none" and any algorithm other than HS256', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'cust_1', exp: now() + 60 })}.`;
    const hs512 = await sign({ sub: 'cust_1', exp: now() + 60 }, env.JWT_SECRET, 'HS512');
    expect((await call('GET', '/v1/orders', bearer(unsigned))).status).toBe(401);
    expect((await call('GET', '/v1/orders', bearer(hs512))).status).toBe(401);
  });

  it('refuses a token without a customer (sub)', async () => {
    const token = await sign({ exp: now() + 60 }, env.JWT_SECRET, 'HS256');
    const res = await call('GET', '/v1/orders', bearer(token));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/sub/);
  });

  it('refuses the admin key as a customer token, and a customer token as the admin key', async () => {
    const customer = await sign({ sub: 'cust_1', exp: now() + 60 }, env.JWT_SECRET, 'HS256');
    expect((await call('GET', '/v1/orders', bearer(env.ADMIN_API_KEY))).status).toBe(401);
    const res = await call('PUT', '/v1/admin/products/MUG', bearer(customer), {
      name: 'Mug',
      priceCents: 1,
      currency: 'EUR',
      stock: 1,
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('admin_key_required');
  });
});
