import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/notifications';
import { createSubscription } from '../../../workers/notifications/webhooks';
import { makeOrderPlaced, message } from '../../helpers/events';
import { tap } from '../../helpers/queues';

const production = { allowedHosts: [] };

async function payloadsFor(event: ReturnType<typeof makeOrderPlaced>) {
  const batch = createMessageBatch('conveyor-notifications-inbox', [message(event)]);
  await worker.queue(batch, { ...env, WEBHOOKS: tap(env.WEBHOOKS, { hold: true }) });
  const { results } = await env.DB.prepare('SELECT subscription_id, payload FROM webhook_deliveries WHERE event_id = ?')
    .bind(event.id)
    .all<{ subscription_id: string; payload: string }>();
  return Object.fromEntries(results.map((r) => [r.subscription_id, r.payload]));
}

describe('personal data in webhooks', () => {
  it('never sends the payment token, and the address only to subscriptions allowed personal data', async () => {
    const minimal = await createSubscription(env.DB, 'https://erp.shop.example/hook', ['order.placed'], production);
    const courier = await createSubscription(env.DB, 'https://courier.shop.example/hook', ['order.placed'], production, true);
    const placed = makeOrderPlaced({ payment: { token: 'tok_secret_card' } });
    const payloads = await payloadsFor(placed);

    for (const payload of Object.values(payloads)) expect(payload).not.toContain('tok_secret_card');
    const toErp = JSON.parse(payloads[minimal.id]!);
    expect(toErp.data.data).not.toHaveProperty('shippingAddress');
    expect(toErp.data.data).toMatchObject({ id: placed.data.id, items: placed.data.items, totalCents: placed.data.totalCents });
    expect(JSON.parse(payloads[courier.id]!).data.data.shippingAddress).toEqual(placed.data.shippingAddress);
    expect(courier.personalData).toBe(true);
    expect(minimal.personalData).toBe(false);
  });

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
