import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../../shared/events';
import type { VaultRpc } from '../../../shared/personal-data';
import worker from '../../../workers/notifications';
import { createSubscription } from '../../../workers/notifications/webhooks';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { address, makeOrder } from '../../helpers/fixtures';
import { events, tap } from '../../helpers/queues';
import { sealedPersonal } from '../../helpers/sealing';

const production = { allowedHosts: [] };
const vault = env.VAULT as unknown as Service<VaultRpc>;

/** A SEND_EMAIL binding that records what it is handed. */
function recordingSendEmail() {
  const sent: { to: string; subject: string }[] = [];
  const binding = {
    async send(m: { to: string; subject: string }) {
      sent.push({ to: m.to, subject: m.subject });
      return { messageId: `<${crypto.randomUUID()}@example.com>` };
    },
  } as unknown as SendEmail;
  return { sent, binding };
}

/** Delivers `event` to notifications (mail through `mail`, when given); answers what it published and queued. */
async function deliver(event: Event, mail?: SendEmail) {
  const bus = tap(env.BUS);
  const webhooks = tap(env.WEBHOOKS, { hold: true });
  const batch = createMessageBatch('conveyor-notifications-inbox', [message(event)]);
  const mailing = mail ? { MAIL_PROVIDER: 'cloudflare', MAIL_FROM: 'orders@shop.example', SEND_EMAIL: mail } : {};
  await worker.queue(batch, { ...env, ...mailing, BUS: bus, WEBHOOKS: webhooks });
  return { published: events(bus), queued: webhooks.sent };
}

async function payloadsFor(event: Event) {
  await deliver(event);
  const { results } = await env.DB.prepare('SELECT subscription_id, payload FROM webhook_deliveries WHERE event_id = ?')
    .bind(event.id)
    .all<{ subscription_id: string; payload: string }>();
  return Object.fromEntries(results.map((r) => [r.subscription_id, r.payload]));
}

/** An order as its events carry it: address and e-mail sealed by the real vault with its customer's key. */
async function sealedOrder(overrides: Parameters<typeof makeOrder>[0] = {}) {
  const order = makeOrder({ customerId: `cust_${crypto.randomUUID().slice(0, 8)}`, ...overrides });
  return { ...order, ...(await sealedPersonal(vault, order, { shippingAddress: address, email: 'ada@example.com' })) };
}

describe('personal data in webhooks and mail', () => {
  it('never sends the payment token, and the opened address and e-mail only to subscriptions allowed personal data', async () => {
    const minimal = await createSubscription(env.DB, 'https://erp.shop.example/hook', ['order.placed'], production);
    const courier = await createSubscription(env.DB, 'https://courier.shop.example/hook', ['order.placed'], production, true);
    const placed = makeOrderPlaced(await sealedOrder());
    const payloads = await payloadsFor(placed);

    for (const payload of Object.values(payloads)) expect(JSON.parse(payload).data.data).not.toHaveProperty('payment');
    const toErp = JSON.parse(payloads[minimal.id]!);
    expect(toErp.data.data).not.toHaveProperty('shippingAddress');
    expect(toErp.data.data).not.toHaveProperty('email');
    expect(payloads[minimal.id]).not.toMatch(/Ada|Main St|example\.com/);
    expect(toErp.data.data).toMatchObject({ id: placed.data.id, items: placed.data.items, totalCents: placed.data.totalCents });
    expect(JSON.parse(payloads[courier.id]!).data.data).toMatchObject({ shippingAddress: address, email: 'ada@example.com' });
    expect(courier.personalData).toBe(true);
    expect(minimal.personalData).toBe(false);
  });

  it('mails the e-mail it opened through the vault', async () => {
    const mail = recordingSendEmail();
    const confirmed = makeEvent('order.confirmed', { ...(await sealedOrder()), status: 'confirmed', version: 4 });
    const { published } = await deliver(confirmed, mail.binding);
    expect(mail.sent).toEqual([{ to: 'ada@example.com', subject: expect.stringContaining('confirmed') }]);
    expect(published).toMatchObject([{ type: 'notification.sent' }]);
  });
});

describe('an erased customer', () => {
  it('is forgotten on customer.erased: mail bodies, and the address and e-mail in webhook payloads; subscribers are told', async () => {
    const courier = await createSubscription(
      env.DB,
      'https://courier.shop.example/erase',
      ['order.*', 'customer.*'],
      production,
      true,
    );
    const order = await sealedOrder({ status: 'confirmed', version: 4 });
    const confirmed = makeEvent('order.confirmed', order);
    await deliver(confirmed);
    expectOpened(await payloadsOf(courier.id, confirmed.id));

    const erased = expectOk(await vault.erase(order.customerId, { [order.id]: 'cancelled' }));
    const told = makeEvent('customer.erased', { customerId: order.customerId, erasedAt: erased.erasedAt, orders: 1 });
    const { queued } = await deliver(told);

    const payload = await payloadsOf(courier.id, confirmed.id);
    expect(payload).not.toMatch(/Ada|Main St|example\.com/);
    expect(JSON.parse(payload).data.data).toMatchObject({ id: order.id, personalData: 'erased' });
    const mail = await env.DB.prepare('SELECT recipient, body FROM mail WHERE order_id = ?').bind(order.id).first();
    expect(mail).toEqual({ recipient: order.customerId, body: '(erased)' });
    // One delivery job for the courier, as any event's (shared/webhook-job.ts).
    expect(queued).toEqual([
      expect.objectContaining({
        deliveryId: expect.stringMatching(/^msg_/),
        eventType: 'customer.erased',
        endpoint: 'https://courier.shop.example/erase',
      }),
    ]);
    expect(JSON.parse(await payloadsOf(courier.id, told.id))).toMatchObject({
      type: 'customer.erased',
      data: { data: { customerId: order.customerId } },
    });
  });

  it('is written to no more: a replayed event sends no mail, and webhooks carry no address', async () => {
    const courier = await createSubscription(env.DB, 'https://courier.shop.example/replay', ['order.shipped'], production, true);
    const order = await sealedOrder({ status: 'shipped', version: 5 });
    expectOk(await vault.erase(order.customerId, { [order.id]: 'shipped' }));
    const mail = recordingSendEmail();
    const shipped = makeEvent('order.shipped', order);
    const { published } = await deliver(shipped, mail.binding);
    expect(mail.sent).toEqual([]);
    expect(published).toEqual([]);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM mail WHERE order_id = ?').bind(order.id).first()).toEqual({ n: 0 });
    const payload = JSON.parse(await payloadsOf(courier.id, shipped.id));
    expect(payload.data.data).toMatchObject({ id: order.id, personalData: 'erased' });
    expect(payload.data.data).not.toHaveProperty('shippingAddress');
  });
});

describe('what earlier deploys stored', () => {
  it('scrubs payment tokens and addresses that earlier deploys stored in pending deliveries', async () => {
    const stored = JSON.stringify({
      type: 'order.placed',
      timestamp: '',
      data: { data: { id: 'o', payment: { token: 'tok_old' }, shippingAddress: { name: 'Ada' } } },
    });
    await env.DB.prepare(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, payload, status, created_at, updated_at)
       VALUES ('msg_old', 'wh_old', 'e', 'order.placed', ?, 'pending', '', '')`,
    )
      .bind(stored)
      .run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0003'))!;
    for (const query of migration.queries.filter((q) => q.includes('UPDATE webhook_deliveries')))
      await env.DB.prepare(query).run();
    const { payload } = (await env.DB.prepare("SELECT payload FROM webhook_deliveries WHERE id = 'msg_old'").first<{
      payload: string;
    }>())!;
    expect(JSON.parse(payload)).toEqual({ type: 'order.placed', timestamp: '', data: { data: { id: 'o' } } });
  });
});

async function payloadsOf(subscriptionId: string, eventId: string): Promise<string> {
  const row = await env.DB.prepare('SELECT payload FROM webhook_deliveries WHERE subscription_id = ? AND event_id = ?')
    .bind(subscriptionId, eventId)
    .first<{ payload: string }>();
  if (!row) throw new Error(`no delivery of ${eventId} to ${subscriptionId}`);
  return row.payload;
}

function expectOpened(payload: string) {
  expect(JSON.parse(payload).data.data).toMatchObject({ shippingAddress: address, email: 'ada@example.com' });
}

function expectOk<T>(reply: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
}
