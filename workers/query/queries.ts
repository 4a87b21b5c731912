import type { Write } from '../../shared/consistency';
import { after, pageOf } from '../../shared/cursor';
import type { CancelReason, OrderStatus } from '../../shared/events';
import type { Freshness, OrderException, OrderSummary, TimelineEntry } from '../../shared/responses';
import type { ListOrdersQuery } from '../../shared/rpc';

/**
 * A customer's orders, newest first, optionally by status and placement time. The cursor is the
 * (placedAt, id) of the last row shown, so pages stay stable while new orders arrive.
 */
export async function listOrders(db: D1Database, q: ListOrdersQuery) {
  const [afterPlacedAt, afterId] = after(q.cursor);
  const { results } = await db
    .prepare(
      `SELECT * FROM orders WHERE customer_id = ?1 AND (?2 IS NULL OR status = ?2) AND (placed_at, id) < (?3, ?4)
       AND (?5 IS NULL OR placed_at >= ?5) AND (?6 IS NULL OR placed_at <= ?6)
       ORDER BY placed_at DESC, id DESC LIMIT ?7`,
    )
    .bind(q.customerId, q.status ?? null, afterPlacedAt, afterId, q.from ?? null, q.to ?? null, q.limit + 1)
    .all<Record<string, string | number | null>>();
  const toSummary = (r: Record<string, string | number | null>): OrderSummary => ({
    id: String(r.id),
    status: r.status as OrderStatus,
    totalCents: Number(r.total_cents),
    currency: String(r.currency),
    items: JSON.parse(String(r.items)),
    ...(r.cancel_reason ? { cancelReason: r.cancel_reason as CancelReason } : {}),
    version: Number(r.version),
    placedAt: String(r.placed_at),
    updatedAt: String(r.updated_at),
  });
  const page = pageOf(results, q.limit, (r) => [String(r.placed_at), String(r.id)], toSummary);
  return { ...page, freshness: await freshness(db) };
}

/**
 * Waits, at most `waitMs`, until the read model holds `customerId`'s order at `write.version` or
 * later; answers whether it does. Polls with backoff (25 ms doubling to 200 ms), so a 2 s wait costs
 * about a dozen queries. Another customer's order is never found.
 */
export async function awaitWrite(db: D1Database, customerId: string, write: Write, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 200)) {
    const row = await db
      .prepare('SELECT version FROM orders WHERE id = ? AND customer_id = ?')
      .bind(write.orderId, customerId)
      .first<{ version: number }>();
    if (row && row.version >= write.version) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
}

/** Sales per SKU per day (orders that sold: confirmed, shipped, delivered) and orders per status. */
export async function salesReport(db: D1Database, from: string, to: string) {
  const [sales, byStatus] = await db.batch([
    db
      .prepare(
        `SELECT day, sku, currency, sum(quantity) AS units, sum(revenue_cents) AS revenueCents FROM order_lines
         WHERE status IN ('confirmed', 'shipped', 'delivered') AND day BETWEEN ? AND ?
         GROUP BY day, sku, currency ORDER BY day, sku`,
      )
      .bind(from, to),
    db
      .prepare('SELECT status, count(*) AS orders FROM orders WHERE substr(placed_at, 1, 10) BETWEEN ? AND ? GROUP BY status')
      .bind(from, to),
  ]);
  return {
    sales: sales!.results as { day: string; sku: string; currency: string; units: number; revenueCents: number }[],
    ordersByStatus: Object.fromEntries(
      (byStatus!.results as { status: string; orders: number }[]).map((r) => [r.status, r.orders]),
    ),
    freshness: await freshness(db),
  };
}

/** Every event about `subject` (an order id), in the order they happened. */
export async function timeline(db: D1Database, subject: string) {
  const { results } = await db
    .prepare('SELECT event_id, type, source, occurred_at, data FROM timeline WHERE subject = ? ORDER BY occurred_at, rowid')
    .bind(subject)
    .all<{ event_id: string; type: string; source: string; occurred_at: string; data: string }>();
  const events: TimelineEntry[] = results.map((r) => ({
    id: r.event_id,
    type: r.type,
    source: r.source,
    occurredAt: r.occurred_at,
    data: JSON.parse(r.data),
  }));
  return { events, freshness: await freshness(db) };
}

async function freshness(db: D1Database): Promise<Freshness> {
  const row = await db
    .prepare('SELECT projected_at, last_event_at FROM freshness WHERE id = 1')
    .first<{ projected_at: string; last_event_at: string }>();
  return { projectedAt: row?.projected_at ?? null, lastEventAt: row?.last_event_at ?? null };
}

/** Orders flagged for an operator, newest first, with the order's status now. */
export async function listExceptions(db: D1Database, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT e.order_id, e.kind, e.steps, e.flagged_at, o.status FROM exceptions e LEFT JOIN orders o ON o.id = e.order_id
       ORDER BY e.flagged_at DESC LIMIT ?`,
    )
    .bind(limit)
    .all<{ order_id: string; kind: string; steps: string; flagged_at: string; status: string | null }>();
  const items: OrderException[] = results.map((r) => ({
    orderId: r.order_id,
    kind: r.kind as OrderException['kind'],
    steps: JSON.parse(r.steps),
    flaggedAt: r.flagged_at,
    status: (r.status ?? null) as OrderException['status'],
  }));
  return { items, freshness: await freshness(db) };
}
