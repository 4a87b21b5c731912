import { DurableObject } from 'cloudflare:workers';
import { requireConfig } from '../../shared/config';
import type { Product, ProductSnapshot } from '../../shared/events';
import { Meter } from '../../shared/metrics';
import { armAlarm, Outbox } from '../../shared/outbox';
import { newEvent } from '../../shared/publish';
import { countRowsWritten, RowsWritten } from '../../shared/rows-written';
import { migrate } from '../../shared/schema';
import { writeListing } from './catalog';
import { InventoryConfig } from './config';
import { available, decide, evolve, type Hold, type HoldStatus, type SkuState, type Stock, type StockMessage } from './stock';

type ProductRow = {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  on_hand: number;
  reserved: number;
  version: number;
};

type HoldRow = { order_id: string; quantity: number; status: HoldStatus; expires_at: number };

/** How long a settled hold is kept; an order.placed older than {@link MAX_ORDER_AGE_MS} is never held again. */
export const KEEP_SETTLED_HOLDS_MS = 30 * 24 * 3600 * 1000;
/** A replayed or redriven order.placed older than this is ignored, so a pruned hold can never be taken twice. */
export const MAX_ORDER_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * One SKU: its product record, its stock and every order's hold on it; a thin shell around the
 * stock decider (stock.ts). Every change runs as load → decide → persist in one transaction, one
 * at a time, so concurrent orders for the last units can never oversell.
 */
export class InventoryDO extends DurableObject<Env> {
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    countRowsWritten(ctx, new Meter(env, 'inventory', ctx), new RowsWritten('InventoryDO'));
    migrate(ctx.storage, [
      Outbox.schema,
      {
        name: 'inventory',
        steps: [
          `CREATE TABLE IF NOT EXISTS product (id INTEGER PRIMARY KEY CHECK (id = 1), sku TEXT NOT NULL, name TEXT NOT NULL,
            price_cents INTEGER NOT NULL, currency TEXT NOT NULL, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
            version INTEGER NOT NULL)`,
          `CREATE TABLE IF NOT EXISTS reservations (order_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, status TEXT NOT NULL,
            updated_at TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
          // Expiry looks up live holds by time, not by scanning every order the SKU ever had.
          'CREATE INDEX IF NOT EXISTS reservations_by_expiry ON reservations (status, expires_at)',
          // Pruning finds old settled holds by when they settled.
          'CREATE INDEX IF NOT EXISTS reservations_by_update ON reservations (updated_at)',
        ],
      },
    ]);
    this.outbox = new Outbox(ctx.storage, env.BUS);
  }

  /** Creates or updates the product; `stock` sets what is on hand absolutely. Publishes product.upserted. */
  async upsert(product: Product & { stock: number }, traceparent: string): Promise<ProductSnapshot> {
    const snapshot = this.ctx.storage.transactionSync(() => {
      const current = this.product();
      const { stock: next } = this.apply({ type: 'Recount', onHand: product.stock }, null);
      const saved = this.save({ ...product, ...next! }, (current?.version ?? 0) + 1);
      this.outbox.add([
        newEvent('product.upserted', saved, { source: 'inventory', subject: product.sku, cause: null, traceparent }),
      ]);
      return saved;
    });
    await Promise.all([this.outbox.sendNow(), this.writeListing(snapshot)]);
    return snapshot;
  }

  async read(): Promise<ProductSnapshot | null> {
    const row = this.product();
    return row ? toSnapshot(row) : null;
  }

  /**
   * Holds `quantity` for `orderId` if available; an order holds a SKU at most once, and asking
   * again answers where its hold stands. A hold lasts RESERVATION_TTL_SECONDS: if the order
   * neither confirms nor cancels by then, the alarm frees it.
   */
  async reserve(orderId: string, quantity: number, placedAt: string): Promise<HoldStatus | null> {
    const ttlMs = requireConfig('inventory', InventoryConfig, this.env).RESERVATION_TTL_SECONDS * 1000;
    const status = await this.change({ type: 'Reserve', orderId, quantity, ttlMs, placedAt, maxAgeMs: MAX_ORDER_AGE_MS });
    if (status === 'held') await this.wakeBy(Date.now() + ttlMs);
    return status;
  }

  /** Gives back a hold of an order that could not be held whole; a sale stays a sale. */
  async undo(orderId: string): Promise<HoldStatus | null> {
    return this.change({ type: 'Undo', orderId });
  }

  /** The order was cancelled: a hold is released, a sale returned to the shelf, a later hold barred. */
  async release(orderId: string, quantity: number): Promise<HoldStatus | null> {
    return this.change({ type: 'Release', orderId, quantity });
  }

  /** The order was confirmed: its hold becomes a sale (an expired hold is taken again if the units are there). */
  async commit(orderId: string, quantity: number): Promise<HoldStatus | null> {
    return this.change({ type: 'Commit', orderId, quantity });
  }

  override async alarm(): Promise<void> {
    const due = this.ctx.storage.sql
      .exec<{ order_id: string }>("SELECT order_id FROM reservations WHERE status = 'held' AND expires_at <= ?", Date.now())
      .toArray();
    for (const hold of due) await this.change({ type: 'Expire', orderId: hold.order_id });
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm(), this.nextExpiry());
  }

  /** Runs one message through the decider in one transaction; answers the order's hold after it. */
  private async change(message: Exclude<StockMessage, { type: 'Recount' }>): Promise<HoldStatus | null> {
    const result = this.ctx.storage.transactionSync(() => {
      const before = this.product();
      const { hold, stock, changed } = this.apply(message, message.orderId);
      if (changed) this.pruneSettledHolds();
      const saved = changed && before ? this.save(fromRow(before), before.version + 1, stock) : null;
      return { status: hold?.status ?? null, saved };
    });
    if (result.saved) await this.writeListing(result.saved);
    return result.status;
  }

  /** Load → decide → persist the hold, inside the caller's transaction; the caller saves the stock with the product's version. */
  private apply(message: StockMessage, orderId: string | null): SkuState & { changed: boolean } {
    const state: SkuState = { stock: this.stockNow(), hold: orderId ? this.hold(orderId) : null };
    const events = decide(message, state, new Date());
    const next = events.reduce(evolve, state);
    if (events.length === 0) return { ...next, changed: false };
    if (next.hold) {
      this.ctx.storage.sql.exec(
        `INSERT INTO reservations (order_id, quantity, status, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
        next.hold.orderId,
        next.hold.quantity,
        next.hold.status,
        new Date().toISOString(),
        next.hold.expiresAt,
      );
    }
    return { ...next, changed: true };
  }

  /** Forgets a few settled holds older than {@link KEEP_SETTLED_HOLDS_MS}; runs with every change, no alarm needed. */
  private pruneSettledHolds(): void {
    this.ctx.storage.sql.exec(
      `DELETE FROM reservations WHERE order_id IN (SELECT order_id FROM reservations
         WHERE status != 'held' AND updated_at < ? ORDER BY updated_at LIMIT 20)`,
      new Date(Date.now() - KEEP_SETTLED_HOLDS_MS).toISOString(),
    );
  }

  /** Arms the alarm for `at` unless it is already set to go off sooner (the usual case: no write). */
  private async wakeBy(at: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  /** When the earliest live hold expires (epoch ms), or infinity. */
  private nextExpiry(): number {
    const row = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM reservations WHERE status = 'held'")
      .one();
    return row.at ?? Number.POSITIVE_INFINITY;
  }

  private hold(orderId: string): Hold | null {
    const row = this.ctx.storage.sql
      .exec<HoldRow>('SELECT order_id, quantity, status, expires_at FROM reservations WHERE order_id = ?', orderId)
      .toArray()[0];
    return row ? { orderId: row.order_id, quantity: row.quantity, status: row.status, expiresAt: row.expires_at } : null;
  }

  private stockNow(): Stock | null {
    const row = this.product();
    return row ? { onHand: row.on_hand, reserved: row.reserved } : null;
  }

  private product(): ProductRow | null {
    return this.ctx.storage.sql.exec<ProductRow>('SELECT * FROM product WHERE id = 1').toArray()[0] ?? null;
  }

  private save(p: Product & Partial<Stock>, version: number, stock: Stock | null = null): ProductSnapshot {
    const units = stock ?? { onHand: p.onHand ?? 0, reserved: p.reserved ?? 0 };
    this.ctx.storage.sql.exec(
      `INSERT INTO product (id, sku, name, price_cents, currency, on_hand, reserved, version) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, price_cents = excluded.price_cents,
         currency = excluded.currency, on_hand = excluded.on_hand, reserved = excluded.reserved, version = excluded.version`,
      p.sku,
      p.name,
      p.priceCents,
      p.currency,
      units.onHand,
      units.reserved,
      version,
    );
    return toSnapshot(this.product()!);
  }

  /** Keeps the catalog listing in step; the next change repairs a failed write. */
  private async writeListing(snapshot: ProductSnapshot): Promise<void> {
    await writeListing(this.env.DB, snapshot).catch((error) =>
      console.error(JSON.stringify({ msg: 'listing not updated', sku: snapshot.sku, error: String(error) })),
    );
  }
}

const fromRow = (row: ProductRow): Product => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  currency: row.currency,
});
const toSnapshot = (row: ProductRow): ProductSnapshot => ({
  ...fromRow(row),
  stock: row.on_hand,
  available: available({ onHand: row.on_hand, reserved: row.reserved }),
  version: row.version,
});
