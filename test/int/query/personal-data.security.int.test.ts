import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { project } from '../../../workers/query/projections';
import { timeline } from '../../../workers/query/queries';
import { makeOrderPlaced } from '../../helpers/events';

describe('the timeline keeps no payment token', () => {
  it('projects order.placed without it, and keeps the rest of the order for its customer', async () => {
    const placed = makeOrderPlaced({ payment: { token: 'tok_secret_card' } });
    await project(env.DB, placed);
    const { events } = await timeline(env.DB, placed.subject);
    expect(JSON.stringify(events)).not.toContain('tok_secret_card');
    expect(events[0]!.data).toMatchObject({ id: placed.data.id, shippingAddress: placed.data.shippingAddress });
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
