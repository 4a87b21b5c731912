import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { errorCodeNames, errorCodes } from '../../../shared/error-codes';
import { bearer, call, now } from './client';
import { fakeServices } from './fakes';

const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const customer = async () => bearer(await sign({ sub: 'cust_refused', exp: now() + 600 }, env.JWT_SECRET, 'HS256'));

describe('every refusal names what was refused and why', () => {
  it.each([
    [
      'a wrong admin key',
      async () => call('GET', '/v1/admin/dead-letters', { headers: bearer('cvk_not-a-key-anyone-has') }),
      401,
      'invalid_admin_key',
      'the operator key is not one this API knows',
    ],
    [
      'a customer token on an admin route',
      async () => call('GET', '/v1/admin/dead-letters', { headers: await customer() }),
      401,
      'admin_key_required',
      'this is an operator route: it takes an operator key, not a customer token',
    ],
    [
      'a 70 KB body',
      async () => call('POST', '/v1/orders', { headers: await customer(), body: { pad: 'x'.repeat(70 * 1024) } }),
      413,
      'payload_too_large',
      'the request body is over the 64 KB limit',
    ],
    [
      'a garbage JWT',
      async () => call('GET', '/v1/orders', { headers: bearer('eyJhbGciOiJIUzI1NiJ9.garbage.garbage') }),
      401,
      'invalid_token',
      'the bearer token is not a valid token signed for this API',
    ],
    [
      'an expired token',
      async () =>
        call('GET', '/v1/orders', { headers: bearer(await sign({ sub: 'c', exp: now() - 3600 }, env.JWT_SECRET, 'HS256')) }),
      401,
      'token_expired',
      'the token has expired; get a new one',
    ],
    [
      'no credentials',
      async () => call('GET', '/v1/orders'),
      401,
      'missing_credentials',
      'this route needs credentials: send `Authorization: Bearer <token>`',
    ],
    [
      'malformed JSON',
      async () => call('POST', '/v1/orders', { headers: await customer(), body: '{"items": [' }),
      400,
      'malformed_json',
      'the request body is not valid JSON',
    ],
    [
      'a body that breaks the schema',
      async () =>
        call('POST', '/v1/orders', {
          headers: await customer(),
          body: { items: [{ sku: 'MUG', quantity: 0 }], shippingAddress: address, payment: { token: 't' } },
        }),
      400,
      'invalid_request',
      'items.0.quantity: Too small: expected number to be >=1',
    ],
    [
      'a body that is not JSON at all',
      async () =>
        call('POST', '/v1/orders', { headers: { ...(await customer()), 'content-type': 'text/plain' }, body: 'items=1' }),
      415,
      'unsupported_media_type',
      'the request body must be application/json',
    ],
    [
      'a carrier webhook without a signature',
      async () => call('POST', '/v1/webhooks/carrier', { body: { id: 'x', orderId: crypto.randomUUID(), status: 'dispatched' } }),
      401,
      'invalid_signature',
      'missing or malformed Carrier-Signature',
    ],
    [
      'a route that does not exist',
      async () => call('DELETE', '/v1/products'),
      404,
      'not_found',
      'no route for DELETE /v1/products',
    ],
  ])('%s', async (_, request, status, code, message) => {
    const res = await request();
    expect(res.status, res.text).toBe(status);
    expect(res.body).toEqual({ error: { code, message, requestId: res.headers.get('x-request-id') } });
    expect(errorCodes[code as keyof typeof errorCodes].status).toBe(status);
  });

  it('answers a failure of ours with 500 internal and the request id, never the error or its stack', async () => {
    const { env: broken } = fakeServices(
      {},
      { inventory: { listProducts: () => Promise.reject(new Error('D1_ERROR: no such table: products at line 42')) } },
    );
    const res = await call('GET', '/v1/products', { env: broken });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(res.text).not.toMatch(/D1_ERROR|products|line 42|at /);
  });

  it('publishes the codes in the OpenAPI document, each error response listing the codes of its status', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const code = doc.components.schemas.Error.properties.error.properties.code;
    expect(code.enum).toEqual(errorCodeNames);
    for (const name of errorCodeNames) expect(code.description).toContain(`| \`${name}\` | ${errorCodes[name].status} |`);
    expect(doc.paths['/v1/orders'].post.responses['413'].description).toBe(
      'One of `payload_too_large`, `replay_too_large`, `range_too_large`',
    );
  });
});
