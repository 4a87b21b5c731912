import { type Event, isOrderEvent } from '../../shared/events';
import { minimised } from '../../shared/personal-data';

/** The read-model tables; a rebuild projects into fresh ones, then swaps them in. */
export interface Tables {
  orders: string;
  lines: string;
  timeline: string;
}

export const LIVE: Tables = { orders: 'orders', lines: 'order_lines', timeline: 'timeline' };

/**
 * Projects one event into the read models, in one D1 batch (a transaction). Idempotent: the
 * timeline keys on the event id, and order rows only move to a higher version, so duplicates and
 * out-of-order deliveries leave the same rows.
 */
export async function project(db: D1Database, event: Event, tables: Tables = LIVE): Promise<void> {
  const statements = [
    db
      .prepare(
        `INSERT INTO ${tables.timeline} (event_id, subject, type, source, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      // What the customer reads back: the facts of their order, never the payment token nor personal
      // data (events carry both sealed; the read side never opens them, so it holds nothing to erase).
      .bind(
        event.id,
        event.subject,
        event.type,
        event.source,
        event.occurredAt,
        JSON.stringify(minimised(event, { personalData: false }).data),
      ),
    db
      .prepare(
        `INSERT INTO freshness (id, last_event_at, projected_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET last_event_at = max(last_event_at, ?1), projected_at = ?2`,
      )
      .bind(event.occurredAt, new Date().toISOString()),
  ];
  if (event.type === 'order.flagged') {
    statements.push(
      db
        .prepare('INSERT INTO exceptions (order_id, kind, steps, flagged_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .bind(event.data.id, event.data.exception, JSON.stringify(event.data.steps), event.occurredAt),
    );
  }
  if (isOrderEvent(event)) {
    const o = event.data;
    statements.push(
      db
        .prepare(
          `INSERT INTO ${tables.orders} (id, customer_id, status, total_cents, currency, items, cancel_reason, version, placed_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
           ON CONFLICT (id) DO UPDATE SET status = ?3, cancel_reason = ?7, version = ?8, updated_at = ?10
           WHERE excluded.version > ${tables.orders}.version`,
        )
        .bind(
          o.id,
          o.customerId,
          o.status,
          o.totalCents,
          o.currency,
          JSON.stringify(o.items),
          o.cancelReason ?? null,
          o.version,
          o.placedAt,
          o.updatedAt,
        ),
      ...o.items.map((line) =>
        db
          .prepare(
            `INSERT INTO ${tables.lines} (order_id, sku, day, quantity, revenue_cents, currency, status, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (order_id, sku) DO UPDATE SET status = ?7, version = ?8 WHERE excluded.version > ${tables.lines}.version`,
          )
          .bind(
            o.id,
            line.sku,
            o.placedAt.slice(0, 10),
            line.quantity,
            line.quantity * line.unitPriceCents,
            o.currency,
            o.status,
            o.version,
          ),
      ),
    );
  }
  await db.batch(statements);
}
