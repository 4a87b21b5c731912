import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { project } from '../../../workers/query/projections';
import { listOrders, timeline } from '../../../workers/query/queries';
import { makeEvent } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';

const READ_MODELS = ['timeline', 'orders', 'order_lines', 'freshness', 'exceptions'];

/** Runs the named migrations' statements, as `wrangler d1 migrations apply` would, in one batch each. */
async function run(names: (name: string) => boolean) {
  for (const { queries } of env.TEST_MIGRATIONS.filter((m) => names(m.name)))
    await env.DB.batch(queries.map((q) => env.DB.prepare(q)));
}

const everyRow = async (table: string, key: string) =>
  (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()).results;

const shapeOf = async (table: string) =>
  (await env.DB.prepare('SELECT sql FROM sqlite_master WHERE name = ?').bind(table).first<{ sql: string }>())!.sql;

describe('migration 0006: the read models keyed without a rowid', () => {
  const { payment: _, ...order } = makeOrder({ customerId: 'cust_m', placedAt: '2026-11-01T10:00:00.000Z' });
  let before: Record<string, unknown[]> = {};

  beforeAll(async () => {
    // The read models as the deploy before 0006 left them, holding an order.
    await env.DB.batch(READ_MODELS.map((t) => env.DB.prepare(`DROP TABLE IF EXISTS ${t}`)));
    await run((name) => name < '0006');
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO timeline (event_id, subject, type, source, occurred_at, data) VALUES ('ev-old', ?, 'order.placed', 'orders', ?, '{}')`,
      ).bind(order.id, order.placedAt),
      env.DB.prepare(
        `INSERT INTO orders (id, customer_id, status, total_cents, currency, items, cancel_reason, version, placed_at, updated_at)
         VALUES (?, ?, 'pending', ?, ?, ?, NULL, 1, ?, ?)`,
      ).bind(
        order.id,
        order.customerId,
        order.totalCents,
        order.currency,
        JSON.stringify(order.items),
        order.placedAt,
        order.placedAt,
      ),
      env.DB.prepare(
        `INSERT INTO order_lines (order_id, sku, day, quantity, revenue_cents, currency, status, version)
         VALUES (?, 'SKU-OLD', '2026-11-01', 3, 300, 'EUR', 'pending', 1)`,
      ).bind(order.id),
    ]);
    before = {
      timeline: await everyRow('timeline', 'event_id'),
      orders: await everyRow('orders', 'id'),
      order_lines: await everyRow('order_lines', 'order_id, sku'),
    };
    await run((name) => name.startsWith('0006'));
  });

  it('keeps every row the tables held, column by column', async () => {
    expect(await everyRow('timeline', 'event_id')).toEqual(before.timeline);
    expect(await everyRow('orders', 'id')).toEqual(before.orders);
    expect(await everyRow('order_lines', 'order_id, sku')).toEqual(before.order_lines);
    expect((await timeline(env.DB, order.id)).events.map((e) => e.id)).toEqual(['ev-old']);
    expect((await listOrders(env.DB, { customerId: 'cust_m', limit: 10 })).items.map((o) => o.id)).toEqual([order.id]);
    expect(await env.DB.prepare('SELECT sku FROM order_lines WHERE order_id = ?').bind(order.id).all()).toMatchObject({
      results: [{ sku: 'SKU-OLD' }],
    });
  });

  it('leaves the tables without a rowid, and the indexes the queries use', async () => {
    for (const table of ['timeline', 'orders', 'order_lines']) expect(await shapeOf(table)).toMatch(/WITHOUT ROWID$/);
    const indexes = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('timeline', 'orders', 'order_lines') ORDER BY name",
    ).all<{ name: string }>();
    expect(indexes.results.map((r) => r.name)).toEqual(['order_lines_by_day', 'orders_by_customer', 'orders_by_customer_status']);
  });

  it('still dedups by event id, and moves an order only forward', async () => {
    const confirmed = makeEvent(
      'order.confirmed',
      { ...order, status: 'confirmed', version: 4, updatedAt: '2026-11-01T10:00:05.000Z' },
      { occurredAt: '2026-11-01T10:00:05.000Z' },
    );
    expect(await project(env.DB, confirmed)).toBeGreaterThan(0);
    expect(await project(env.DB, { ...confirmed, data: { ...confirmed.data, status: 'pending', version: 2 } })).toBe(0);
    expect((await timeline(env.DB, order.id)).events.map((e) => e.id)).toEqual(['ev-old', confirmed.id]);
    expect((await listOrders(env.DB, { customerId: 'cust_m', limit: 10 })).items[0]!.status).toBe('confirmed');
  });
});

describe('migration 0007: no index of orders by status', () => {
  const plan = async (sql: string, ...args: unknown[]) =>
    (
      await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...args)
        .all<{ detail: string }>()
    ).results.map((r) => r.detail);
  /** The list of a customer's orders, as `listOrders` asks for it. */
  const LIST = `SELECT * FROM orders WHERE customer_id = ?1 AND (?2 IS NULL OR status = ?2) AND (placed_at, id) < (?3, ?4)
    AND (?5 IS NULL OR placed_at >= ?5) AND (?6 IS NULL OR placed_at <= ?6) ORDER BY placed_at DESC, id DESC LIMIT ?7`;

  it("lists a customer's orders by the customer index, with or without a status, before 0007 (which drops the status index) and after it", async () => {
    const statusIndex = () => env.DB.prepare("SELECT name FROM sqlite_master WHERE name = 'orders_by_customer_status'").first();
    // As 0006 left the read models (the tests above): the index by status is there, and unused.
    expect(await statusIndex()).not.toBeNull();
    for (const status of [null, 'shipped'])
      expect(await plan(LIST, 'cust_p', status, '9999', 'z', null, null, 21)).toEqual([
        expect.stringMatching(/^SEARCH orders USING INDEX orders_by_customer \(customer_id=\?/),
      ]);
    await run((name) => name.startsWith('0007'));
    expect(await statusIndex()).toBeNull();
    for (const status of [null, 'shipped'])
      expect(await plan(LIST, 'cust_p', status, '9999', 'z', null, null, 21)).toEqual([
        expect.stringMatching(/^SEARCH orders USING INDEX orders_by_customer \(customer_id=\?/),
      ]);
  });

  it('lists by status as before without the index', async () => {
    const { payment: _, ...order } = makeOrder({ customerId: 'cust_s', placedAt: '2026-11-02T10:00:00.000Z' });
    await project(env.DB, makeEvent('order.placed', order));
    expect((await listOrders(env.DB, { customerId: 'cust_s', status: 'pending', limit: 10 })).items.map((o) => o.id)).toEqual([
      order.id,
    ]);
    expect((await listOrders(env.DB, { customerId: 'cust_s', status: 'confirmed', limit: 10 })).items).toEqual([]);
  });
});
