import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../../shared/events';
import { project } from '../../../workers/query/projections';
import { listOrders, timeline } from '../../../workers/query/queries';
import { makeEvent } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';

/** The life of one order as the bus would carry it: placed, authorized, confirmed. */
function lifeOf(customerId = 'cust_1', placedAt = new Date().toISOString()) {
  const { payment, ...order } = makeOrder({ customerId, placedAt, updatedAt: placedAt });
  const at = (ms: number) => new Date(Date.parse(placedAt) + ms).toISOString();
  return [
    makeEvent('order.placed', { ...order, payment }, { occurredAt: at(0) }),
    makeEvent(
      'payment.authorized',
      { orderId: order.id, paymentId: 'p', amountCents: 3800, currency: 'EUR' },
      { occurredAt: at(10) },
    ),
    makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4, updatedAt: at(20) }, { occurredAt: at(20) }),
  ] as Event[];
}

async function rows(customerId: string) {
  return (await listOrders(env.DB, { customerId, limit: 100 })).items;
}

describe('read-model projections', () => {
  it('projects an order and its timeline', async () => {
    const events = lifeOf('cust_a');
    for (const e of events) await project(env.DB, e);
    expect(await rows('cust_a')).toMatchObject([{ status: 'confirmed', version: 4 }]);
    const { events: entries } = await timeline(env.DB, events[0]!.subject);
    expect(entries.map((e) => [e.source, e.type])).toEqual(events.map((e) => [e.source, e.type]));
  });

  it('gives the same rows when fed the events twice and out of order', async () => {
    const inOrder = lifeOf('cust_b');
    for (const e of inOrder) await project(env.DB, e);
    const shuffled = lifeOf('cust_c');
    for (const e of [shuffled[2]!, shuffled[0]!, shuffled[1]!, shuffled[2]!, shuffled[0]!]) await project(env.DB, e);
    const strip = ({ id, placedAt, updatedAt, ...rest }: Record<string, unknown>) => rest;
    expect((await rows('cust_c')).map(strip)).toEqual((await rows('cust_b')).map(strip));
    expect((await timeline(env.DB, shuffled[0]!.subject)).events).toHaveLength(3);
  });

  it('pages newest first with a cursor that stays stable while orders arrive', async () => {
    const customer = 'cust_pager';
    const base = Date.parse('2026-11-01T00:00:00.000Z');
    for (let i = 0; i < 5; i++) await project(env.DB, lifeOf(customer, new Date(base + i * 60_000).toISOString())[0]!);
    const first = await listOrders(env.DB, { customerId: customer, limit: 2 });
    // A newer order arrives between pages: it belongs before page one, so later pages do not shift.
    await project(env.DB, lifeOf(customer, new Date(base + 3_600_000).toISOString())[0]!);
    const second = await listOrders(env.DB, { customerId: customer, limit: 2, cursor: first.nextCursor! });
    const third = await listOrders(env.DB, { customerId: customer, limit: 2, cursor: second.nextCursor! });
    const seen = [...first.items, ...second.items, ...third.items].map((o) => o.placedAt);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => new Date(base + i * 60_000).toISOString()));
    expect(third.nextCursor).toBeNull();
  });

  it('filters by status', async () => {
    for (const e of lifeOf('cust_f')) await project(env.DB, e);
    await project(env.DB, lifeOf('cust_f')[0]!);
    const pending = await listOrders(env.DB, { customerId: 'cust_f', status: 'pending', limit: 10 });
    expect(pending.items.map((o) => o.status)).toEqual(['pending']);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(listOrders(env.DB, { customerId: 'x', limit: 2, cursor: 'garbage!' })).rejects.toMatchObject({
      code: 'invalid_cursor',
      status: 400,
    });
  });
});

describe('the timeline and the releases before', () => {
  it('keeps no rowid: only the releases of storage generation 1 sorted by it, and none of them may serve again', async () => {
    const events = lifeOf('cust_old');
    for (const e of [...events, events[1]!]) await project(env.DB, e);
    // Migrations run before the code. Every release from generation 2 on sorts the timeline by
    // (occurred_at, event_id), as this one does; `npm run deploy` refuses to go back to generation 1
    // (checkStorageGenerations), whose query this was.
    await expect(
      env.DB.prepare('SELECT event_id FROM timeline WHERE subject = ? ORDER BY occurred_at, rowid')
        .bind(events[0]!.subject)
        .all(),
    ).rejects.toThrow(/no such column: rowid/);
    const { results } = await env.DB.prepare(
      'SELECT event_id, type, source, occurred_at, data FROM timeline WHERE subject = ? ORDER BY occurred_at, event_id',
    )
      .bind(events[0]!.subject)
      .all();
    expect(results.map((r) => r.event_id)).toEqual(events.map((e) => e.id));
    expect((await timeline(env.DB, events[0]!.subject)).events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});
