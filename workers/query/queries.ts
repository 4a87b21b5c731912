import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { CancelReason, OrderStatus } from '../../shared/events';
import type { Freshness, ListOrdersQuery, OrderSummary, TimelineEntry } from '../../shared/rpc';

const encodeCursor = (placedAt: string, id: string) => btoa(JSON.stringify([placedAt, id]));

const Cursor = z.tuple([z.string(), z.string()]);

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = Cursor.safeParse(JSON.parse(atob(cursor)));
    if (parsed.success) return parsed.data;
  } catch {}
  throw new AppError({ code: 'invalid_cursor', message: 'cursor is not one this API returned', status: 400 });
}

/**
 * A customer's orders, newest first. The cursor is the (placedAt, id) of the last row shown, so
 * pages stay stable while new orders arrive.
 */
export async function listOrders(db: D1Database, q: ListOrdersQuery) {
  const [afterPlacedAt, afterId] = q.cursor ? decodeCursor(q.cursor) : ['\uffff', ''];
  const { results } = await db
    .prepare(
      `SELECT * FROM orders WHERE customer_id = ?1 AND (?2 IS NULL OR status = ?2) AND (placed_at, id) < (?3, ?4)
       ORDER BY placed_at DESC, id DESC LIMIT ?5`,
    )
    .bind(q.customerId, q.status ?? null, afterPlacedAt, afterId, q.limit + 1)
    .all<Record<string, string | number | null>>();
  const items: OrderSummary[] = results.slice(0, q.limit).map((r) => ({
    id: String(r.id),
    status: r.status as OrderStatus,
    totalCents: Number(r.total_cents),
    currency: String(r.currency),
    items: JSON.parse(String(r.items)),
    ...(r.cancel_reason ? { cancelReason: r.cancel_reason as CancelReason } : {}),
    version: Number(r.version),
    placedAt: String(r.placed_at),
    updatedAt: String(r.updated_at),
  }));
  const last = items.at(-1);
  const nextCursor = results.length > q.limit && last ? encodeCursor(last.placedAt, last.id) : null;
  return { items, nextCursor, freshness: await freshness(db) };
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
