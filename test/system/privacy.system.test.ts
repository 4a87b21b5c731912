import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OrderView } from '../../shared/personal-data';
import { admin, call, eventually, newProduct, placeOrder, tokenFor } from './client';
import { shop } from './shop';
import type { StoredHit } from './topology.setup';

// Issue 10, item 6: personal data with an end. A customer is erased; then the archive is replayed
// to every subscriber and the read models are rebuilt, and nothing readable about them is left in
// anything the platform stores, while another customer's data still opens.

const run = crypto.randomUUID().slice(0, 8);
const person = (first: string, street: string) => ({
  id: `cust_${first.toLowerCase()}_${run}`,
  name: `${first} Tester-${run}`,
  line1: `${run} ${street}`,
  city: `Town-${run}-${first}`,
  email: `${first.toLowerCase()}.${run}@example.com`,
});
const erin = person('Erin', 'Forget Lane');
const kim = person('Kim', 'Keep Street');
/** What must be unreadable about a customer: their name, their address and their e-mail. */
const needles = (p: typeof erin) => [p.name, p.line1, p.city, p.email];

const body = (p: typeof erin, sku: string) => ({
  items: [{ sku, quantity: 1 }],
  email: p.email,
  shippingAddress: { name: p.name, line1: p.line1, city: p.city, postalCode: '10115', country: 'DE' },
  payment: { token: 'tok_visa' },
});

/** A webhook receiver that records every payload, by the path it was sent to. */
const received: { path: string; payload: { type: string; data: { data: Record<string, unknown> } } }[] = [];
const server = createServer(async (req, res) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  received.push({ path: req.url ?? '', payload: JSON.parse(text) });
  res.writeHead(204).end();
});
let hookUrl = '';
/** The subscriptions this test makes, removed after it: later tests must not pay for deliveries to a receiver gone. */
const subscriptions: string[] = [];

async function search(needles: string[], objects: { worker: string; className: string; name: string }[] = []) {
  const response = await fetch(inject('dataProbe'), { method: 'POST', body: JSON.stringify({ needles, objects }) });
  if (!response.ok) throw new Error(`data probe: ${response.status} ${await response.text()}`);
  return (await response.json()) as StoredHit[];
}

async function subscribe(path: string, eventTypes: string[]) {
  const created = await call<{ id: string }>('POST', '/v1/admin/webhooks', {
    token: admin(),
    body: { url: `${hookUrl}${path}`, eventTypes, personalData: true },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subscriptions.push(created.body.id);
}

const tokens = { erin: '', kim: '' };
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokens.erin = await tokenFor(erin.id);
  tokens.kim = await tokenFor(kim.id);
});
afterAll(async () => {
  for (const id of subscriptions) await call('DELETE', `/v1/admin/webhooks/${id}`, { token: admin() });
  await new Promise((r) => server.close(r));
});

const asErin = shop(() => tokens.erin);
const asKim = shop(() => tokens.kim);

describe('erasing a customer (crypto-shredding)', () => {
  it('leaves nothing readable about them in the archive, read models, mail sink or webhooks, after a replay and a rebuild; another customer keeps theirs', async () => {
    const started = new Date().toISOString();
    await subscribe('/before', ['order.*', 'customer.*']);
    const sku = await newProduct(20);
    const place = async (p: typeof erin, token: string) => {
      const placed = await placeOrder<OrderView>(token, body(p, sku));
      expect(placed.status, JSON.stringify(placed.body)).toBe(202);
      return placed.body.id;
    };
    const [delivered, cancelled] = [await place(erin, tokens.erin), await place(erin, tokens.erin)];
    const kept = await place(kim, tokens.kim);
    await Promise.all([
      asErin.settled(delivered, 'confirmed'),
      asErin.settled(cancelled, 'confirmed'),
      asKim.settled(kept, 'confirmed'),
    ]);

    // While her orders still need her address, she cannot be erased; each is named.
    const refused = await call('DELETE', `/v1/admin/customers/${erin.id}`, { token: admin() });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('customer_has_open_orders');
    for (const id of [delivered, cancelled]) expect(refused.body.error.message).toContain(`${id} (confirmed)`);

    // One parcel is delivered, the other order cancelled (shipping calls its shipment off).
    await eventually(async () =>
      expect((await asErin.carrier({ id: `trk_${delivered}_1`, orderId: delivered, status: 'dispatched' })).status).toBe(200),
    );
    await asErin.carrier({ id: `trk_${delivered}_2`, orderId: delivered, status: 'delivered' });
    expect((await call('POST', `/v1/orders/${cancelled}/cancel`, { token: tokens.erin })).status).toBe(202);
    await Promise.all([asErin.settled(delivered, 'delivered'), asErin.settled(cancelled, 'cancelled', 20_000)]);

    // Before: her data is nowhere in the clear on the bus or in the archive (sealed there from the
    // start), but the platform does hold it readable where it was sent on: the personal-data webhook's deliveries.
    await eventually(async () =>
      expect(received.some((r) => r.path === '/before' && JSON.stringify(r.payload).includes(erin.line1))).toBe(true),
    );
    const held = await search(needles(erin));
    expect(held.map((h) => h.where)).toContain('d1:conveyor-notifications.webhook_deliveries');
    expect(held.filter((h) => h.where.startsWith('r2:'))).toEqual([]);

    const erased = await call<{ customerId: string; orders: number }>('DELETE', `/v1/admin/customers/${erin.id}`, {
      token: admin(),
    });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body).toMatchObject({ customerId: erin.id, orders: 2 });
    // The subscriber that had her data is told to erase it too.
    await eventually(async () =>
      expect(received.find((r) => r.path === '/before' && r.payload.type === 'customer.erased')?.payload.data.data).toMatchObject(
        {
          customerId: erin.id,
        },
      ),
    );

    // A new subscriber is given the whole story again, and the read models are rebuilt from the archive.
    await subscribe('/after', ['order.*']);
    const replayed = await call<{ events: number }>('POST', '/v1/admin/replay', {
      token: admin(),
      body: { from: started, to: new Date().toISOString() },
    });
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(202);
    expect((await call('POST', '/v1/admin/rebuild', { token: admin() })).status).toBe(200);
    const after = () => received.filter((r) => r.path === '/after').map((r) => r.payload.data.data);
    await eventually(async () => {
      expect(after().filter((d) => d.id === kept).length).toBeGreaterThanOrEqual(2);
      expect(after().filter((d) => d.id === delivered || d.id === cancelled).length).toBeGreaterThanOrEqual(6);
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1_500));

    // Nothing readable about her: archive objects, every D1 table (read models, timelines, mail
    // sink, webhook deliveries, dead letters, audit), her orders' Durable Objects and her vault.
    const objects = [delivered, cancelled].flatMap((name) => [
      { worker: 'conveyor-orders', className: 'OrderDO', name },
      { worker: 'conveyor-shipping', className: 'ShipmentDO', name },
      { worker: 'conveyor-payments', className: 'PaymentDO', name },
    ]);
    expect(await search(needles(erin), [...objects, { worker: 'conveyor-vault', className: 'KeyDO', name: erin.id }])).toEqual(
      [],
    );
    // Nor did the replay deliver any: her orders went to the new subscriber marked erased.
    for (const data of after().filter((d) => d.id === delivered || d.id === cancelled)) {
      expect(data).toMatchObject({ personalData: 'erased' });
      expect(JSON.stringify(data)).not.toMatch(new RegExp(needles(erin).join('|')));
    }
    // The payment token is readable nowhere: not in the archive, any D1 table, nor her orders'
    // Durable Objects (payments held it in the clear only while authorizing).
    expect(await search(['tok_visa'], objects)).toEqual([]);

    // She reads her orders without it; the mail she was sent keeps its subject, not its text.
    const hers = await asErin.order(delivered);
    expect(hers).toMatchObject({ status: 'delivered', personalData: 'erased' });
    expect(hers).not.toHaveProperty('shippingAddress');
    const mail = await call<{ items: { orderId: string; subject: string; body: string }[] }>('GET', '/v1/admin/mail?limit=200', {
      token: admin(),
    });
    const herMail = mail.body.items.filter((m) => m.orderId === delivered || m.orderId === cancelled);
    expect(herMail.length).toBeGreaterThan(0);
    for (const m of herMail) expect(m.body).toBe('(erased)');

    // Kim keeps everything: her order shows her address, her mail its text, the new subscriber got her data.
    expect(await asKim.order(kept)).toMatchObject({ shippingAddress: { name: kim.name, line1: kim.line1 }, email: kim.email });
    expect(mail.body.items.find((m) => m.orderId === kept)?.body).toContain('Thank you');
    expect(after().find((d) => d.id === kept)).toMatchObject({ shippingAddress: { name: kim.name }, email: kim.email });
    expect((await search(needles(kim))).map((h) => h.where)).toContain('d1:conveyor-notifications.webhook_deliveries');
  }, 120_000);

  it('answers 404 for a customer it never sealed anything for, and keeps no storage for the asking', async () => {
    const keyStores = async () =>
      (await (await fetch(`${inject('storageProbe')}/?worker=conveyor-vault&class=KeyDO`)).json()) as string[];
    const before = await keyStores();
    for (let i = 0; i < 5; i++) {
      const unknown = await call('DELETE', `/v1/admin/customers/cust_nobody_${crypto.randomUUID()}`, { token: admin() });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('customer_not_found');
    }
    expect(await keyStores()).toEqual(before);
  });
});
