import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { project } from '../../../workers/query/projections';
import { timeline } from '../../../workers/query/queries';
import { makeOrderPlaced } from '../../helpers/events';
import { placeholderSealed } from '../../helpers/fixtures';

describe('the read side keeps no payment token and no personal data', () => {
  it('projects order.placed without the sealed token, address or e-mail, and keeps the rest of the order for its customer', async () => {
    const placed = makeOrderPlaced({ email: placeholderSealed('email') });
    await project(env.DB, placed);
    const { events } = await timeline(env.DB, placed.subject);
    expect(events[0]!.data).not.toHaveProperty('payment');
    expect(events[0]!.data).not.toHaveProperty('shippingAddress');
    expect(events[0]!.data).not.toHaveProperty('email');
    expect(events[0]!.data).toMatchObject({ id: placed.data.id, items: placed.data.items, totalCents: placed.data.totalCents });
    const stored = await env.DB.prepare('SELECT * FROM orders WHERE id = ?').bind(placed.data.id).first();
    expect(JSON.stringify(stored)).not.toContain('"v":1');
  });

  it('removes the personal data earlier deploys projected into timelines in the clear', async () => {
    const clear = { id: 's_clear', shippingAddress: { name: 'Ada Lovelace' }, email: 'ada@example.com', totalCents: 1 };
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO timeline (event_id, subject, type, source, occurred_at, data) VALUES ('e_clear', 's_clear', 'order.confirmed', 'orders', '', ?)",
      ).bind(JSON.stringify(clear)),
      env.DB.prepare(
        "INSERT INTO timeline (event_id, subject, type, source, occurred_at, data) VALUES ('e_ship', 's_clear', 'shipment.created', 'shipping', '', ?)",
      ).bind(JSON.stringify({ orderId: 's_clear', address: { name: 'Ada Lovelace' } })),
    ]);
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes('timeline_without_personal_data'))!;
    for (const query of migration.queries) await env.DB.prepare(query).run();
    const { results } = await env.DB.prepare("SELECT data FROM timeline WHERE subject = 's_clear' ORDER BY event_id").all<{
      data: string;
    }>();
    expect(results.map((r) => JSON.parse(r.data))).toEqual([{ id: 's_clear', totalCents: 1 }, { orderId: 's_clear' }]);
  });

  it('scrubs the tokens earlier deploys stored', async () => {
    await env.DB.prepare(
      "INSERT INTO timeline (event_id, subject, type, source, occurred_at, data) VALUES ('e_old', 's_old', 'order.placed', 'orders', '', ?)",
    )
      .bind(JSON.stringify({ id: 's_old', payment: { token: 'tok_old' } }))
      .run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes('scrub_payment_tokens'))!;
    for (const query of migration.queries) await env.DB.prepare(query).run();
    const row = await env.DB.prepare("SELECT data FROM timeline WHERE event_id = 'e_old'").first<{ data: string }>();
    expect(JSON.parse(row!.data)).toEqual({ id: 's_old' });
  });
});
