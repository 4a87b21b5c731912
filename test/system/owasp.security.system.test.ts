// The OWASP API Security Top 10 (2023) against the whole topology: each attack is refused, and the
// state it aimed at (orders, stock, subscriptions, Durable Object storage) is unchanged afterwards.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import type { OrderList, WebhookSubscription } from '../../shared/responses';
import { admin, call, carrierSignature, eventually, newProduct, orderBody, placeOrder, tokenFor } from './client';

/** The ids of every Durable Object of `className` (in Worker `worker`) that has storage so far. */
async function storageOf(worker: string, className: string): Promise<string[]> {
  const response = await fetch(`${inject('storageProbe')}/?worker=${worker}&class=${className}`);
  return (await response.json()) as string[];
}

let ann: string;
let bob: string;
let sku: string;
let annsOrder: OrderSnapshot & { consistencyToken: string };

/** What the attacks aim at, read by its owners. */
async function state() {
  return {
    annsOrder: (await call<OrderSnapshot>('GET', `/v1/orders/${annsOrder.id}`, { token: ann })).body,
    product: (await call<ProductSnapshot>('GET', `/v1/products/${sku}`)).body,
    bobsOrders: (await call<OrderList>('GET', '/v1/orders', { token: bob })).body.items,
    webhooks: (await call<{ items: WebhookSubscription[] }>('GET', '/v1/admin/webhooks', { token: admin() })).body.items,
  };
}

beforeAll(async () => {
  ann = await tokenFor(`cust_ann_${crypto.randomUUID().slice(0, 8)}`);
  bob = await tokenFor(`cust_bob_${crypto.randomUUID().slice(0, 8)}`);
  sku = await newProduct(10, 2500);
  const placed = await placeOrder<OrderSnapshot & { consistencyToken: string }>(ann, orderBody(sku, 2));
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  annsOrder = placed.body;
  await eventually(async () =>
    expect((await call<OrderSnapshot>('GET', `/v1/orders/${annsOrder.id}`, { token: ann })).body.status).toBe('confirmed'),
  );
});

describe('API1:2023 Broken Object Level Authorization', () => {
  it("refuses Bob Ann's order, its timeline, its cancel and her consistency token; her order is untouched", async () => {
    const before = await state();
    for (const [method, path] of [
      ['GET', `/v1/orders/${annsOrder.id}`],
      ['GET', `/v1/orders/${annsOrder.id}/timeline`],
      ['POST', `/v1/orders/${annsOrder.id}/cancel`],
    ] as const) {
      const res = await call(method, path, { token: bob });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('order_not_found');
    }
    const stolen = await call('GET', `/v1/orders?consistencyToken=${encodeURIComponent(annsOrder.consistencyToken)}`, {
      token: bob,
    });
    expect(stolen.status).toBe(403);
    expect(await state()).toEqual(before);
  });
});

describe('API2:2023 Broken Authentication', () => {
  it('refuses forged, unsigned and expired tokens and `Bearer undefined`; nothing is placed', async () => {
    const before = await state();
    const forged = [
      'undefined',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdXN0X2FubiIsImV4cCI6OTk5OTk5OTk5OX0.',
      `${ann.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`,
    ];
    for (const token of forged) expect((await call('POST', '/v1/orders', { token, body: orderBody(sku) })).status).toBe(401);
    expect((await call('GET', '/v1/admin/webhooks', { token: 'undefined' })).status).toBe(401);
    expect(await state()).toEqual(before);
  });
});

describe('API3:2023 Broken Object Property Level Authorization', () => {
  it('prices from the catalog and keeps the caller as the customer, whatever the body claims; no payment token comes back, not even in the timeline', async () => {
    const body = {
      ...orderBody(sku),
      totalCents: 1,
      status: 'confirmed',
      customerId: 'cust_victim',
      items: [{ sku, quantity: 1, unitPriceCents: 1 }],
    };
    const placed = await placeOrder<OrderSnapshot>(bob, body);
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'pending', totalCents: 2500, items: [{ sku, unitPriceCents: 2500 }] });
    expect(JSON.stringify(placed.body)).not.toContain('tok_visa');
    expect((await call<OrderSnapshot>('GET', `/v1/orders/${placed.body.id}`, { token: bob })).body.customerId).not.toBe(
      'cust_victim',
    );
    const timeline = await call('GET', `/v1/orders/${annsOrder.id}/timeline`, { token: ann });
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.body)).not.toContain('tok_visa');
    const hooks = await call<{ items: object[] }>('GET', '/v1/admin/webhooks', { token: admin() });
    expect(JSON.stringify(hooks.body)).not.toContain('whsec_');
  });
});

describe('API4:2023 Unrestricted Resource Consumption', () => {
  it('creates no Durable Object storage for unknown SKUs or order ids', async () => {
    const inventory = (await storageOf('conveyor-inventory', 'InventoryDO')).length;
    const orders = (await storageOf('conveyor-orders', 'OrderDO')).length;
    expect(inventory).toBeGreaterThan(0);
    const answers = await Promise.all([
      ...Array.from({ length: 25 }, (_, i) => call('GET', `/v1/products/NOPE-${crypto.randomUUID().slice(0, 8)}-${i}`)),
      ...Array.from({ length: 25 }, () => call('GET', `/v1/orders/${crypto.randomUUID()}`, { token: bob })),
      ...Array.from({ length: 5 }, () => call('POST', `/v1/orders/${crypto.randomUUID()}/cancel`, { token: bob })),
    ]);
    // Some of Bob's are refused before they even wait (429 too_many_waits: at most 2 at once); none is found.
    expect(answers.filter((a) => a.status !== 404 && a.status !== 429)).toEqual([]);
    expect(answers.filter((a) => a.status === 404).length).toBeGreaterThan(25);
    expect(await storageOf('conveyor-inventory', 'InventoryDO')).toHaveLength(inventory);
    expect(await storageOf('conveyor-orders', 'OrderDO')).toHaveLength(orders);
  });

  it('creates no key, sealed order or order for an order refused at pricing (it is priced before it is sealed)', async () => {
    const carol = await tokenFor(`cust_carol_${crypto.randomUUID().slice(0, 8)}`);
    const keys = (await storageOf('conveyor-vault', 'KeyDO')).length;
    const orders = (await storageOf('conveyor-orders', 'OrderDO')).length;
    for (let i = 0; i < 3; i++) {
      const refused = await call('POST', '/v1/orders', {
        token: carol,
        body: orderBody(`NOPE-${crypto.randomUUID().slice(0, 8)}`),
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('unknown_sku');
    }
    expect(await storageOf('conveyor-vault', 'KeyDO')).toHaveLength(keys);
    expect(await storageOf('conveyor-orders', 'OrderDO')).toHaveLength(orders);
  });

  it('refuses a body over 64 KB', async () => {
    const res = await call('POST', '/v1/orders', { token: bob, body: { ...orderBody(sku), pad: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
  });
});

describe('API5:2023 Broken Function Level Authorization', () => {
  it('refuses customers and unknown keys on admin routes; the catalog is untouched and only known operators are audited', async () => {
    const startedAt = new Date().toISOString();
    const before = await state();
    const upsert = { name: 'Hijacked', priceCents: 1, currency: 'EUR', stock: 1_000_000 };
    const asCustomer = await call('PUT', `/v1/admin/products/${sku}`, { token: ann, body: upsert });
    expect(asCustomer.body.error.code).toBe('admin_key_required');
    const guessed = await call('POST', '/v1/admin/replay', {
      token: 'cvk_guess',
      body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    });
    expect(guessed.body.error.code).toBe('invalid_admin_key');
    expect(await state()).toEqual(before);
    const audit = await call<{ items: { actor: string; action: string; path: string; at: string }[] }>(
      'GET',
      '/v1/admin/audit?limit=200',
      {
        token: admin(),
      },
    );
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
    // Only configured operators are ever audited: `local` (ADMIN_API_KEY) and `ops` (the topology's
    // scoped ADMIN_KEYS key, which the dashboard test signs in with); never a guessed key.
    expect(audit.body.items.filter((e) => e.actor !== 'local' && e.actor !== 'ops')).toEqual([]);
    // Other tests replay as the local operator; the guessed key's replay, now, left no entry.
    expect(audit.body.items.filter((e) => e.at >= startedAt && e.action === 'archive.replay')).toEqual([]);
  });
});

describe('API6:2023 Unrestricted Access to Sensitive Business Flows', () => {
  it('places one order for one Idempotency-Key, however often it is sent', async () => {
    const key = crypto.randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => placeOrder<OrderSnapshot>(bob, orderBody(sku), { 'idempotency-key': key })),
    );
    const ids = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id));
    expect(ids.size).toBe(1);
  });
});

describe('API7:2023 Server Side Request Forgery', () => {
  it.each([
    'http://localhost:22/',
    'https://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'https://[::1]/',
    'https://metadata.google.internal/',
    // 167772161 is 10.0.0.1 (the URL parser canonicalises it).
    'https://167772161/',
  ])('refuses a webhook to %s, storing nothing', async (url) => {
    const before = (await state()).webhooks;
    const res = await call('POST', '/v1/admin/webhooks', { token: admin(), body: { url } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('webhook_url_refused');
    expect((await state()).webhooks).toEqual(before);
  });
});

describe('API8:2023 Security Misconfiguration', () => {
  it('answers with secure headers and error bodies that carry no internals', async () => {
    const res = await call('GET', '/v1/orders/not-an-id', { token: bob });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'requestId']);
  });
});

describe('API9:2023 Improper Inventory Management', () => {
  it("does not expose the services' own endpoints through the gateway", async () => {
    for (const path of ['/health', '/v1/health', '/v2/orders', '/v1/admin']) {
      expect([401, 404]).toContain((await call('GET', path)).status);
    }
  });
});

describe('API10:2023 Unsafe Consumption of APIs', () => {
  it("refuses a forged carrier update; Ann's order does not move", async () => {
    const before = await state();
    const raw = JSON.stringify({ id: `wh_${crypto.randomUUID()}`, orderId: annsOrder.id, status: 'delivered' });
    const forged = await carrierSignature(raw, 'not-the-carrier-secret');
    const res = await call('POST', '/v1/webhooks/carrier', { raw, headers: { 'carrier-signature': forged } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_signature');
    expect(await state()).toEqual(before);
    const stale = await carrierSignature(raw, inject('carrierSecret'), Math.floor(Date.now() / 1000) - 600);
    expect((await call('POST', '/v1/webhooks/carrier', { raw, headers: { 'carrier-signature': stale } })).status).toBe(401);
    expect(await state()).toEqual(before);
  });
});
