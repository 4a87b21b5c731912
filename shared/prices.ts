/**
 * Cloudflare's list prices (Workers Paid, USD, beyond the included amounts) for the operations
 * Conveyor counts, as published on developers.cloudflare.com/…/pricing on the date below. Check
 * them again before quoting a cost: they change.
 */
export const PRICES = {
  asOf: '2026-11-01',
  currency: 'USD',
  perMillion: {
    /** A Worker invocation (request, queue batch, RPC). */
    invocation: 0.3,
    /** A queue message under 64 KB: a write, a read and a delete at $0.40 per million operations each. */
    queue_message: 1.2,
    /** A Durable Object request (RPC call, alarm). */
    do_request: 0.15,
    /** A row written to a Durable Object's SQLite. */
    do_row_written: 1.0,
    /** A row written to D1. */
    d1_row_written: 1.0,
    /** An R2 Class A operation (PUT). */
    r2_write: 4.5,
    /** An Analytics Engine data point. */
    ae_data_point: 0.25,
  },
} as const;

export type BillableOp = keyof typeof PRICES.perMillion;

/** The list-price cost (USD) of a million orders, given the operations one order takes. */
export function costPerMillionOrders(perOrder: Partial<Record<BillableOp, number>>): number {
  let usd = 0;
  for (const [op, n] of Object.entries(perOrder) as [BillableOp, number][]) usd += n * PRICES.perMillion[op];
  return Math.round(usd * 100) / 100;
}
