import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { project } from '../../../workers/query/projections';
import { awaitWrite, listOrders, salesReport } from '../../../workers/query/queries';
import { orderLife } from './orders';

describe('sales report', () => {
  it('sums units and revenue per SKU per day for orders that sold, and counts orders per status', async () => {
    const events = [
      ...orderLife('c1', '2026-11-01', 'MUG', 2, 'confirmed'),
      ...orderLife('c2', '2026-11-01', 'MUG', 1, 'confirmed'),
      ...orderLife('c3', '2026-11-01', 'MUG', 5, 'cancelled'),
      ...orderLife('c1', '2026-11-02', 'HAT', 1, 'confirmed'),
    ];
    for (const e of events) await project(env.DB, e);
    const report = await salesReport(env.DB, '2026-11-01', '2026-11-02');
    expect(report.sales).toEqual([
      { day: '2026-11-01', sku: 'MUG', currency: 'EUR', units: 3, revenueCents: 1500 },
      { day: '2026-11-02', sku: 'HAT', currency: 'EUR', units: 1, revenueCents: 500 },
    ]);
    expect(report.ordersByStatus).toEqual({ confirmed: 3, cancelled: 1 });
  });
});

describe('list filters', () => {
  it('filters by placement time', async () => {
    for (const day of ['2026-10-01', '2026-10-02', '2026-10-03'])
      for (const e of orderLife('dates', day, 'X', 1, 'confirmed')) await project(env.DB, e);
    const page = await listOrders(env.DB, {
      customerId: 'dates',
      limit: 10,
      from: '2026-10-02T00:00:00.000Z',
      to: '2026-10-02T23:59:59.999Z',
    });
    expect(page.items.map((o) => o.placedAt.slice(0, 10))).toEqual(['2026-10-02']);
  });
});

describe('read your writes', () => {
  it("waits for the customer's own write, and says when it never came", async () => {
    const [placed] = orderLife('ryw', '2026-11-05', 'MUG', 1, 'confirmed');
    const write = { orderId: placed!.subject, version: 1 };
    const late = new Promise((r) => setTimeout(r, 300)).then(() => project(env.DB, placed!));
    expect(await awaitWrite(env.DB, 'ryw', write, 2_000)).toBe(true);
    await late;
    expect(await awaitWrite(env.DB, 'ryw', { orderId: crypto.randomUUID(), version: 1 }, 100)).toBe(false);
  });

  it("never finds another customer's order, however long it waits", async () => {
    const [placed] = orderLife('owner', '2026-11-05', 'MUG', 1, 'confirmed');
    await project(env.DB, placed!);
    const started = Date.now();
    expect(await awaitWrite(env.DB, 'someone-else', { orderId: placed!.subject, version: 1 }, 300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await awaitWrite(env.DB, 'owner', { orderId: placed!.subject, version: 1 }, 300)).toBe(true);
  });
});
