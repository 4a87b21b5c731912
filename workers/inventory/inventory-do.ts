import { DurableObject } from 'cloudflare:workers';
import type { Product, ProductSnapshot } from '../../shared/events';
import { armAlarm, Outbox } from '../../shared/outbox';
import { newEvent } from '../../shared/publish';
import { migrate } from '../../shared/schema';
import { writeListing } from './catalog';
import * as stock from './stock';

/** Where an order's hold on this SKU stands; once set, asking again answers the same. */
export type Reservation = 'held' | 'rejected' | 'released' | 'committed' | 'returned' | 'expired';

type ProductRow = {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  on_hand: number;
  reserved: number;
  version: number;
};

/**
 * One SKU: its product record, its stock and every order's hold on it. All changes to a SKU run
 * here one at a time, so concurrent orders for the last units can never oversell.
 */
export class InventoryDO extends DurableObject<Env> {
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, 'inventory', [
      `CREATE TABLE IF NOT EXISTS product (id INTEGER PRIMARY KEY CHECK (id = 1), sku TEXT NOT NULL, name TEXT NOT NULL,
        price_cents INTEGER NOT NULL, currency TEXT NOT NULL, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
        version INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS reservations (order_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, status TEXT NOT NULL,
        updated_at TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
      // Expiry looks up live holds by time, not by scanning every order the SKU ever had.
      'CREATE INDEX IF NOT EXISTS reservations_by_expiry ON reservations (status, expires_at)',
    ]);
    this.outbox = new Outbox(ctx.storage, env.BUS);
  }

  /** Creates or updates the product; `stock` sets what is on hand absolutely. Publishes product.upserted. */
  async upsert(product: Product & { stock: number }, traceparent: string): Promise<ProductSnapshot> {
    const snapshot = this.ctx.storage.transactionSync(() => {
      const current = this.row();
      const next = stock.recount({ onHand: current?.on_hand ?? 0, reserved: current?.reserved ?? 0 }, product.stock);
      const saved = this.save({ ...product, ...next }, (current?.version ?? 0) + 1);
      this.outbox.add([
        newEvent('product.upserted', saved, { source: 'inventory', subject: product.sku, cause: null, traceparent }),
      ]);
      return saved;
    });
    await Promise.all([this.outbox.sendNow(), this.list(snapshot)]);
    return snapshot;
  }

  async read(): Promise<ProductSnapshot | null> {
    const row = this.row();
    return row ? toSnapshot(row) : null;
  }

  /**
   * Holds `quantity` for `orderId` if available; an order holds a SKU at most once. A hold lasts
   * RESERVATION_TTL_SECONDS: if the order neither confirms nor cancels by then, the alarm frees it.
   */
  async reserve(orderId: string, quantity: number): Promise<Reservation> {
    const status = await this.change(orderId, quantity, (row, existing) => {
      if (existing) return { status: existing };
      const held = row ? stock.reserve(toStock(row), quantity) : null;
      return held ? { status: 'held', stock: held } : { status: 'rejected' };
    });
    if (status === 'held') await this.wakeBy(this.expiryOf(orderId));
    return status;
  }

  /**
   * Gives an order's units back: a hold is released, a sale is returned to the shelf. Remembered
   * even before the hold exists, so a late reserve is refused.
   */
  async release(orderId: string, quantity: number): Promise<Reservation> {
    return this.change(orderId, quantity, (row, existing) => {
      if (existing === 'held' && row) return { status: 'released', stock: stock.release(toStock(row), quantity) };
      if (existing === 'committed' && row) return { status: 'returned', stock: stock.restock(toStock(row), quantity) };
      return { status: existing ?? 'released' };
    });
  }

  /** Turns an order's hold into a sale; an expired hold is taken again if the units are still there. */
  async commit(orderId: string, quantity: number): Promise<Reservation> {
    return this.change(orderId, quantity, (row, existing) => {
      if (existing === 'held' && row) return { status: 'committed', stock: stock.commit(toStock(row), quantity) };
      if (existing === 'expired' && row) {
        const again = stock.reserve(toStock(row), quantity);
        if (again) return { status: 'committed', stock: stock.commit(again, quantity) };
        console.error(JSON.stringify({ msg: 'confirmed order lost its expired hold', sku: row.sku, orderId }));
      }
      return { status: existing ?? 'rejected' };
    });
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const expired = this.ctx.storage.sql
      .exec<{ order_id: string; quantity: number }>(
        "SELECT order_id, quantity FROM reservations WHERE status = 'held' AND expires_at <= ?",
        now,
      )
      .toArray();
    for (const hold of expired) {
      await this.change(hold.order_id, hold.quantity, (row, existing) =>
        existing === 'held' && row
          ? { status: 'expired', stock: stock.release(toStock(row), hold.quantity) }
          : { status: existing ?? 'expired' },
      );
    }
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm(), this.nextExpiry());
  }

  /** Arms the alarm for `at` unless it is already set to go off sooner (the usual case: no write). */
  private async wakeBy(at: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  private expiryOf(orderId: string): number {
    return this.ctx.storage.sql
      .exec<{ at: number }>('SELECT expires_at AS at FROM reservations WHERE order_id = ?', orderId)
      .one().at;
  }

  /** When the earliest live hold expires (epoch ms), or infinity. */
  private nextExpiry(): number {
    const row = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM reservations WHERE status = 'held'")
      .one();
    return row.at ?? Number.POSITIVE_INFINITY;
  }

  private async change(
    orderId: string,
    quantity: number,
    decide: (row: ProductRow | null, existing: Reservation | null) => { status: Reservation; stock?: stock.Stock },
  ): Promise<Reservation> {
    const { sql } = this.ctx.storage;
    const result = this.ctx.storage.transactionSync(() => {
      const row = this.row();
      const existing =
        sql.exec<{ status: Reservation }>('SELECT status FROM reservations WHERE order_id = ?', orderId).toArray()[0]?.status ??
        null;
      const outcome = decide(row, existing);
      if (outcome.status === existing) return { status: outcome.status, saved: null };
      sql.exec(
        `INSERT INTO reservations (order_id, quantity, status, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
        orderId,
        quantity,
        outcome.status,
        new Date().toISOString(),
        Date.now() + Number(this.env.RESERVATION_TTL_SECONDS) * 1000,
      );
      const saved = row && outcome.stock ? this.save({ ...fromRow(row), ...outcome.stock }, row.version + 1) : null;
      return { status: outcome.status, saved };
    });
    if (result.saved) await this.list(result.saved);
    return result.status;
  }

  private row(): ProductRow | null {
    return this.ctx.storage.sql.exec<ProductRow>('SELECT * FROM product WHERE id = 1').toArray()[0] ?? null;
  }

  private save(p: Product & stock.Stock, version: number): ProductSnapshot {
    this.ctx.storage.sql.exec(
      `INSERT INTO product (id, sku, name, price_cents, currency, on_hand, reserved, version) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, price_cents = excluded.price_cents,
         currency = excluded.currency, on_hand = excluded.on_hand, reserved = excluded.reserved, version = excluded.version`,
      p.sku,
      p.name,
      p.priceCents,
      p.currency,
      p.onHand,
      p.reserved,
      version,
    );
    return toSnapshot(this.row()!);
  }

  /** Keeps the catalog listing in step; the next change repairs a failed write. */
  private async list(snapshot: ProductSnapshot): Promise<void> {
    await writeListing(this.env.DB, snapshot).catch((error) =>
      console.error(JSON.stringify({ msg: 'listing not updated', sku: snapshot.sku, error: String(error) })),
    );
  }
}

const toStock = (row: ProductRow): stock.Stock => ({ onHand: row.on_hand, reserved: row.reserved });
const fromRow = (row: ProductRow): Product => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  currency: row.currency,
});
const toSnapshot = (row: ProductRow): ProductSnapshot => ({
  ...fromRow(row),
  stock: row.on_hand,
  available: stock.available(toStock(row)),
  version: row.version,
});
