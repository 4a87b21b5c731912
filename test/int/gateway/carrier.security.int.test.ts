import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const body = JSON.stringify({ id: 'wh_1', orderId: crypto.randomUUID(), status: 'dispatched', trackingNumber: 'TRK-1' });

async function hmacHex(secret: string, text: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function post(signature: string | undefined, payload = body) {
  const response = await exports.default.fetch('https://gw.test/v1/webhooks/carrier', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'carrier-signature': signature }) },
    body: payload,
  });
  return { status: response.status, body: await response.json<{ error?: { code: string; message: string } }>() };
}

const now = () => Math.floor(Date.now() / 1000);

describe('carrier webhook signature', () => {
  it('refuses a request without a signature', async () => {
    const res = await post(undefined);
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('invalid_signature');
  });

  it('refuses a signature made with another secret', async () => {
    const t = now();
    expect((await post(`t=${t},v1=${await hmacHex('not-the-secret', `${t}.${body}`)}`)).status).toBe(401);
  });

  it('refuses a valid signature over another body', async () => {
    const t = now();
    const signature = `t=${t},v1=${await hmacHex(env.CARRIER_WEBHOOK_SECRET, `${t}.${body}`)}`;
    const res = await post(signature, body.replace('dispatched', 'delivered'));
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toMatch(/does not match/);
  });

  it('refuses a timestamp outside the 5-minute tolerance, even when correctly signed', async () => {
    const stale = now() - 301;
    const res = await post(`t=${stale},v1=${await hmacHex(env.CARRIER_WEBHOOK_SECRET, `${stale}.${body}`)}`);
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toMatch(/tolerance/);
  });

  it('refuses a malformed header', async () => {
    expect((await post('v1=abc')).status).toBe(401);
    expect((await post(`t=${now()},v1=zz`)).status).toBe(401);
  });

  it('lets a correctly signed, fresh request through to the shipping service', async () => {
    const t = now();
    const res = await post(`t=${t},v1=${await hmacHex(env.CARRIER_WEBHOOK_SECRET, `${t}.${body}`)}`);
    // Shipping is not reachable at this level; anything but 401 means the signature passed.
    expect(res.status).not.toBe(401);
  });
});
