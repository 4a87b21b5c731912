import type { Event } from '../../shared/events';

/**
 * Projects one event into the read models, in one D1 batch (a transaction). Idempotent: the
 * timeline keys on the event id, and an order row only moves to a higher version, so duplicates
 * and out-of-order deliveries leave the same rows.
 */
export async function project(db: D1Database, event: Event): Promise<void> {
  const statements = [
    db
      .prepare(
        'INSERT INTO timeline (event_id, subject, type, source, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .bind(event.id, event.subject, event.type, event.source, event.occurredAt, JSON.stringify(event.data)),
    db
      .prepare(
        `INSERT INTO freshness (id, last_event_at, projected_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET last_event_at = max(last_event_at, ?1), projected_at = ?2`,
      )
      .bind(event.occurredAt, new Date().toISOString()),
  ];
  if (event.type === 'order.placed' || event.type === 'order.confirmed' || event.type === 'order.cancelled') {
    const o = event.data;
    statements.push(
      db
        .prepare(
          `INSERT INTO orders (id, customer_id, status, total_cents, currency, items, cancel_reason, version, placed_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
           ON CONFLICT (id) DO UPDATE SET status = ?3, cancel_reason = ?7, version = ?8, updated_at = ?10
           WHERE excluded.version > orders.version`,
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
    );
  }
  await db.batch(statements);
}
