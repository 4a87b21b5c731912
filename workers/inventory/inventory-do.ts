import { DurableObject } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import { requireConfig } from '../../shared/config';
import type { Product, ProductSnapshot } from '../../shared/events';
import { Meter } from '../../shared/metrics';
import { armAlarm, Outbox } from '../../shared/outbox';
import { newEvent } from '../../shared/publish';
import { countRowsWritten, RowsWritten } from '../../shared/rows-written';
import { migrate, type SchemaPart } from '../../shared/schema';
import { bucketName, type Split } from './buckets';
import { writeListing } from './catalog';
import { InventoryConfig } from './config';
import {
  available,
  decide,
  evolve,
  type Hold,
  type HoldStatus,
  type SkuState,
  type Stock,
  type StockMessage,
  type Transfer,
} from './stock';

type ProductRow = {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  on_hand: number;
  reserved: number;
  version: number;
  generation: number;
  bucket: number;
  buckets: number;
  max_buckets: number;
  last_generation: number;
};

type HoldRow = { order_id: string; quantity: number; status: HoldStatus; expires_at: number };
type TransferRow = {
  id: string;
  direction: Transfer['direction'];
  peer: number;
  units: number;
  generation: number;
  status: Transfer['status'];
};

/** One bucket's stock, as the service reads it to count a split SKU again. */
export interface BucketView {
  product: ProductSnapshot;
  bucket: number;
  split: Split;
  stock: Stock;
}

/** How soon a transfer whose target did not answer is tried again (doubling, up to 5 minutes). */
export const TRANSFER_RETRY_MS = 5_000;
/** How long a settled hold is kept; an order.placed older than {@link MAX_ORDER_AGE_MS} is never held again. */
export const KEEP_SETTLED_HOLDS_MS = 30 * 24 * 3600 * 1000;
/** A replayed or redriven order.placed older than this is ignored, so a pruned hold can never be taken twice. */
export const MAX_ORDER_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * A SKU's tables: its product record, every order's hold on it, and the units moved to or from its
 * other buckets.
 */
const INVENTORY: SchemaPart = {
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
    // Hot-SKU buckets: which stock count the units come from, which bucket this object is, and
    // (bucket 0, the SKU's own object) how the SKU is split and the newest count it issued.
    'ALTER TABLE product ADD COLUMN generation INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE product ADD COLUMN bucket INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE product ADD COLUMN buckets INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE product ADD COLUMN max_buckets INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE product ADD COLUMN last_generation INTEGER NOT NULL DEFAULT 0',
    // Units moved to and from the SKU's other buckets; one sent is delivered until the target answers.
    `CREATE TABLE IF NOT EXISTS transfers (id TEXT PRIMARY KEY, direction TEXT NOT NULL, peer INTEGER NOT NULL,
      units INTEGER NOT NULL, generation INTEGER NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0)`,
    'CREATE INDEX IF NOT EXISTS transfers_by_status ON transfers (status, generation)',
    // Holds keyed by order without a rowid beside the key, each in one of two partial indexes: a live
    // hold by when it expires, a settled one by when it settled. Holding is 2 rows written (was 4:
    // row, key, two indexes), settling 2 (was 5: both indexes moved). The statements that read and
    // write holds are unchanged, so the code before this step runs on these tables too.
    `CREATE TABLE reservations_by_order (order_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, status TEXT NOT NULL,
      updated_at TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
    `INSERT INTO reservations_by_order (order_id, quantity, status, updated_at, expires_at)
      SELECT order_id, quantity, status, updated_at, expires_at FROM reservations`,
    'DROP TABLE reservations',
    'ALTER TABLE reservations_by_order RENAME TO reservations',
    "CREATE INDEX reservations_by_expiry ON reservations (expires_at) WHERE status = 'held'",
    "CREATE INDEX reservations_by_update ON reservations (updated_at) WHERE status != 'held'",
  ],
  tables: [
    `CREATE TABLE product (id INTEGER PRIMARY KEY CHECK (id = 1), sku TEXT NOT NULL, name TEXT NOT NULL,
      price_cents INTEGER NOT NULL, currency TEXT NOT NULL, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
      version INTEGER NOT NULL, generation INTEGER NOT NULL DEFAULT 0, bucket INTEGER NOT NULL DEFAULT 0,
      buckets INTEGER NOT NULL DEFAULT 1, max_buckets INTEGER NOT NULL DEFAULT 1, last_generation INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE reservations (order_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, status TEXT NOT NULL,
      updated_at TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
    "CREATE INDEX reservations_by_expiry ON reservations (expires_at) WHERE status = 'held'",
    "CREATE INDEX reservations_by_update ON reservations (updated_at) WHERE status != 'held'",
    `CREATE TABLE transfers (id TEXT PRIMARY KEY, direction TEXT NOT NULL, peer INTEGER NOT NULL,
      units INTEGER NOT NULL, generation INTEGER NOT NULL, status TEXT NOT NULL, updated_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0)`,
    'CREATE INDEX transfers_by_status ON transfers (status, generation)',
  ],
};

/** How holds are found by time; each must stay answerable from one of the partial indexes (a test asks SQLite). */
export const HOLD_QUERIES = {
  /** Live holds expired by `?` (epoch ms). */
  due: "SELECT order_id FROM reservations WHERE status = 'held' AND expires_at <= ?",
  /** When the earliest live hold expires. */
  nextExpiry: "SELECT min(expires_at) AS at FROM reservations WHERE status = 'held'",
  /** A few holds settled before `?` (ISO time), oldest first. */
  settledBefore: "SELECT order_id FROM reservations WHERE status != 'held' AND updated_at < ? ORDER BY updated_at LIMIT 20",
};

/**
 * One SKU, or one bucket of a hot SKU (see buckets.ts): its product record, its stock, every
 * order's hold on it and the units it moved to or from the SKU's other buckets; a thin shell
 * around the stock decider (stock.ts). Every change runs as load → decide → persist in one
 * transaction, one at a time, so concurrent orders for the last units can never oversell.
 */
export class InventoryDO extends DurableObject<Env> {
  /** The object's tables: its outbox and its SKU's. */
  static readonly schema: readonly SchemaPart[] = [Outbox.schema, INVENTORY];

  private readonly outbox: Outbox;
  /** Every row this object writes, counted as SQLite reports it. */
  readonly rowsWritten: RowsWritten;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'inventory', ctx), new RowsWritten('InventoryDO'));
    migrate(ctx.storage, InventoryDO.schema);
    this.outbox = new Outbox(ctx.storage, bus(env));
  }

  /**
   * Creates or updates a SKU that is not split; `stock` sets what is on hand absolutely (a new
   * stock count). Publishes product.upserted.
   */
  async upsert(product: Product & { stock: number }, traceparent: string): Promise<ProductSnapshot> {
    const snapshot = this.ctx.storage.transactionSync(() => {
      const current = this.product();
      const generation = Math.max(current?.last_generation ?? 0, current?.generation ?? 0) + 1;
      const { stock } = this.apply({ type: 'Recount', onHand: product.stock, generation });
      const saved = this.save({ ...fromProduct(product), ...stockColumns(stock!), last_generation: generation }, current);
      this.outbox.add([
        newEvent('product.upserted', saved, { source: 'inventory', subject: product.sku, cause: null, traceparent }),
      ]);
      return saved;
    });
    await Promise.all([this.outbox.sendNow(), this.writeListing(snapshot)]);
    return snapshot;
  }

  /**
   * Bucket 0 of a split SKU: records the product and how it is split, issues the next stock count
   * (its generation, which every bucket is then counted at, see {@link recount}) and publishes
   * product.upserted with the SKU's totals.
   */
  async plan(product: Product, split: Split, totals: { stock: number; available: number }, traceparent: string) {
    const result = this.ctx.storage.transactionSync(() => {
      const current = this.product();
      const generation = Math.max(current?.last_generation ?? 0, current?.generation ?? 0) + 1;
      const saved = this.save(
        {
          ...fromProduct(product),
          bucket: 0,
          buckets: split.buckets,
          max_buckets: split.maxBuckets,
          last_generation: generation,
        },
        current,
      );
      this.outbox.add([
        newEvent(
          'product.upserted',
          { ...saved, ...totals },
          { source: 'inventory', subject: product.sku, cause: null, traceparent },
        ),
      ]);
      return { generation, saved };
    });
    await Promise.all([this.outbox.sendNow(), this.writeListing(result.saved)]);
    return result.generation;
  }

  /**
   * Counts this bucket at `generation`: what it has on hand is set absolutely (holds stay), plus
   * any units sent to it for that count before it arrived. A count no newer than the last is ignored.
   */
  async recount(product: Product, bucket: number, onHand: number, generation: number): Promise<ProductSnapshot> {
    const snapshot = this.ctx.storage.transactionSync(() => {
      const current = this.product();
      const { stock, changed } = this.apply({ type: 'Recount', onHand, generation });
      if (!changed && current) return toSnapshot(current);
      return this.save({ ...fromProduct(product), ...stockColumns(stock!), bucket }, current);
    });
    await this.writeListing(snapshot);
    return snapshot;
  }

  async read(): Promise<ProductSnapshot | null> {
    const row = this.product();
    return row ? toSnapshot(row) : null;
  }

  /** This bucket's stock and, for bucket 0, how the SKU is split. */
  async inspect(): Promise<BucketView | null> {
    const row = this.product();
    if (!row) return null;
    return {
      product: toSnapshot(row),
      bucket: row.bucket,
      split: { buckets: row.buckets, maxBuckets: row.max_buckets },
      stock: { onHand: row.on_hand, reserved: row.reserved, generation: row.generation },
    };
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

  /**
   * The order was cancelled: a hold is released, a sale returned to the shelf, a later hold barred
   * (`ifHeld`: nothing is barred, only given back).
   */
  async release(orderId: string, quantity: number, ifHeld = false): Promise<HoldStatus | null> {
    return this.change({ type: 'Release', orderId, quantity, ...(ifHeld && { ifHeld }) });
  }

  /** The order was confirmed: its hold becomes a sale (an expired hold is taken again if the units are there). */
  async commit(orderId: string, quantity: number): Promise<HoldStatus | null> {
    return this.change({ type: 'Commit', orderId, quantity });
  }

  /**
   * Rebalancing: sends half of this bucket's free units to bucket `to` of the same SKU, once per
   * `transferId`. The units leave this shelf in the transaction that records the transfer (its
   * outbox), and this object delivers them until the target answers, from its alarm if need be:
   * until then they are in neither bucket, so the SKU can only under-promise, and they always
   * arrive. Answers the units sent (0: nothing to spare, or sent before).
   */
  async sendTransfer(transferId: string, to: number): Promise<number> {
    const result = this.ctx.storage.transactionSync(() => {
      const before = this.product();
      if (!before || to === before.bucket) return null;
      const { stock, transfer, changed } = this.apply({ type: 'SendTransfer', transferId, to });
      if (!changed || !transfer) return null;
      // Armed without awaiting, so it commits with the transfer: the alarm delivers what the send below does not.
      void this.ctx.storage.setAlarm(Math.min(Date.now() + TRANSFER_RETRY_MS, this.nextExpiry()));
      return { units: transfer.units, saved: this.save({ sku: before.sku, ...stockColumns(stock!) }, before) };
    });
    if (!result) return 0;
    await Promise.all([this.deliverTransfers(), this.writeListing(result.saved)]);
    return result.units;
  }

  /** Adds the units of a transfer from bucket `from`, once per `transferId`; answers where the transfer stands. */
  async receiveTransfer(transferId: string, from: number, units: number, generation: number): Promise<Transfer['status'] | null> {
    const result = this.ctx.storage.transactionSync(() => {
      const before = this.product();
      const { stock, transfer, changed } = this.apply({ type: 'ReceiveTransfer', transferId, from, units, generation });
      const saved =
        changed && before && transfer?.status === 'received'
          ? this.save({ sku: before.sku, ...stockColumns(stock!) }, before)
          : null;
      return { status: transfer?.status ?? null, saved };
    });
    if (result.saved) await this.writeListing(result.saved);
    return result.status;
  }

  /** Delivers every transfer this bucket sent and its target has not answered yet; a failure waits for the alarm. */
  private async deliverTransfers(): Promise<void> {
    const row = this.product();
    if (!row) return;
    const pending = this.ctx.storage.sql
      .exec<TransferRow>("SELECT * FROM transfers WHERE direction = 'out' AND status = 'sent' ORDER BY updated_at LIMIT 20")
      .toArray();
    for (const t of pending) {
      try {
        const target = this.env.INVENTORY_DO.getByName(bucketName(row.sku, t.peer));
        await target.receiveTransfer(t.id, row.bucket, t.units, t.generation);
        this.ctx.storage.transactionSync(() => this.apply({ type: 'TransferDelivered', transferId: t.id }));
      } catch (error) {
        this.ctx.storage.sql.exec('UPDATE transfers SET attempts = attempts + 1 WHERE id = ?', t.id);
        console.error(
          JSON.stringify({
            msg: 'transfer not delivered; the alarm tries again',
            sku: row.sku,
            to: t.peer,
            error: String(error),
          }),
        );
      }
    }
  }

  /** When a transfer still on its way is next tried (epoch ms): backing off to 5 minutes, or never. */
  private nextDelivery(): number {
    const row = this.ctx.storage.sql
      .exec<{ n: number; attempts: number | null }>(
        "SELECT count(*) AS n, min(attempts) AS attempts FROM transfers WHERE direction = 'out' AND status = 'sent'",
      )
      .one();
    if (row.n === 0) return Number.POSITIVE_INFINITY;
    return Date.now() + Math.min(300_000, TRANSFER_RETRY_MS * 2 ** Math.min(6, row.attempts ?? 0));
  }

  override async alarm(): Promise<void> {
    const due = this.ctx.storage.sql.exec<{ order_id: string }>(HOLD_QUERIES.due, Date.now()).toArray();
    for (const hold of due) await this.change({ type: 'Expire', orderId: hold.order_id });
    await this.deliverTransfers();
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm(), this.nextExpiry(), this.nextDelivery());
  }

  /** Runs one order's message through the decider in one transaction; answers the order's hold after it. */
  private async change(message: Extract<StockMessage, { orderId: string }>): Promise<HoldStatus | null> {
    const result = this.ctx.storage.transactionSync(() => {
      const before = this.product();
      const { hold, stock, changed } = this.apply(message);
      if (changed) this.pruneSettled();
      const saved = changed && before ? this.save({ sku: before.sku, ...stockColumns(stock!) }, before) : null;
      return { status: hold?.status ?? null, saved };
    });
    if (result.saved) await this.writeListing(result.saved);
    return result.status;
  }

  /**
   * Load → decide → persist the hold or transfer the message is about, inside the caller's
   * transaction; the caller saves the stock with the product's version.
   */
  private apply(message: StockMessage): SkuState & { changed: boolean } {
    const state: SkuState = {
      stock: this.stockNow(),
      hold: 'orderId' in message ? this.hold(message.orderId) : null,
      transfer: 'transferId' in message ? this.transfer(message.transferId) : null,
      parked: message.type === 'Recount' ? this.parkedFor(message.generation) : 0,
    };
    const events = decide(message, state, new Date());
    const next = events.reduce(evolve, state);
    if (events.length === 0) return { ...next, changed: false };
    const now = new Date().toISOString();
    if (next.hold) {
      this.ctx.storage.sql.exec(
        `INSERT INTO reservations (order_id, quantity, status, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
        next.hold.orderId,
        next.hold.quantity,
        next.hold.status,
        now,
        next.hold.expiresAt,
      );
    }
    if (next.transfer) {
      const t = next.transfer;
      this.ctx.storage.sql.exec(
        `INSERT INTO transfers (id, direction, peer, units, generation, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
        t.id,
        t.direction,
        t.peer,
        t.units,
        t.generation,
        t.status,
        now,
      );
    }
    if (message.type === 'Recount') {
      // The count took in what was parked for it; what was parked for an older count is in it already.
      this.ctx.storage.sql.exec(
        `UPDATE transfers SET status = CASE WHEN generation = ? THEN 'received' ELSE 'dropped' END, updated_at = ?
         WHERE status = 'parked' AND generation <= ?`,
        message.generation,
        now,
        message.generation,
      );
    }
    return { ...next, changed: true };
  }

  /**
   * Forgets a few settled holds and transfers older than {@link KEEP_SETTLED_HOLDS_MS}; runs with
   * every change, no alarm needed.
   */
  private pruneSettled(): void {
    const before = new Date(Date.now() - KEEP_SETTLED_HOLDS_MS).toISOString();
    this.ctx.storage.sql.exec(`DELETE FROM reservations WHERE order_id IN (${HOLD_QUERIES.settledBefore})`, before);
    this.ctx.storage.sql.exec(
      `DELETE FROM transfers WHERE id IN (SELECT id FROM transfers WHERE status != 'parked' AND updated_at < ? LIMIT 20)`,
      before,
    );
  }

  /** Arms the alarm for `at` unless it is already set to go off sooner (the usual case: no write). */
  private async wakeBy(at: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  /** When the earliest live hold expires (epoch ms), or infinity. */
  private nextExpiry(): number {
    const row = this.ctx.storage.sql.exec<{ at: number | null }>(HOLD_QUERIES.nextExpiry).one();
    return row.at ?? Number.POSITIVE_INFINITY;
  }

  private hold(orderId: string): Hold | null {
    const row = this.ctx.storage.sql
      .exec<HoldRow>('SELECT order_id, quantity, status, expires_at FROM reservations WHERE order_id = ?', orderId)
      .toArray()[0];
    return row ? { orderId: row.order_id, quantity: row.quantity, status: row.status, expiresAt: row.expires_at } : null;
  }

  private transfer(id: string): Transfer | null {
    const row = this.ctx.storage.sql.exec<TransferRow>('SELECT * FROM transfers WHERE id = ?', id).toArray()[0];
    return row
      ? { id: row.id, direction: row.direction, peer: row.peer, units: row.units, generation: row.generation, status: row.status }
      : null;
  }

  /** Units sent to this bucket for the count of `generation` before that count arrived. */
  private parkedFor(generation: number): number {
    return this.ctx.storage.sql
      .exec<{ units: number }>(
        "SELECT coalesce(sum(units), 0) AS units FROM transfers WHERE status = 'parked' AND generation = ?",
        generation,
      )
      .one().units;
  }

  private stockNow(): Stock | null {
    const row = this.product();
    return row ? { onHand: row.on_hand, reserved: row.reserved, generation: row.generation } : null;
  }

  private product(): ProductRow | null {
    return this.ctx.storage.sql.exec<ProductRow>('SELECT * FROM product WHERE id = 1').toArray()[0] ?? null;
  }

  /** Writes the product row with the next version; what `next` leaves out stays as it was. */
  private save(next: Partial<ProductRow> & Pick<ProductRow, 'sku'>, current: ProductRow | null): ProductSnapshot {
    const row: ProductRow = {
      ...(current ?? { ...EMPTY, name: '', price_cents: 0, currency: '' }),
      ...next,
      version: (current?.version ?? 0) + 1,
    };
    this.ctx.storage.sql.exec(
      `INSERT INTO product (id, sku, name, price_cents, currency, on_hand, reserved, version, generation, bucket, buckets,
         max_buckets, last_generation) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, price_cents = excluded.price_cents,
         currency = excluded.currency, on_hand = excluded.on_hand, reserved = excluded.reserved, version = excluded.version,
         generation = excluded.generation, bucket = excluded.bucket, buckets = excluded.buckets,
         max_buckets = excluded.max_buckets, last_generation = excluded.last_generation`,
      row.sku,
      row.name,
      row.price_cents,
      row.currency,
      row.on_hand,
      row.reserved,
      row.version,
      row.generation,
      row.bucket,
      row.buckets,
      row.max_buckets,
      row.last_generation,
    );
    return toSnapshot(this.product()!);
  }

  /** Keeps the catalog listing in step (this bucket's row); the next change repairs a failed write. */
  private async writeListing(snapshot: ProductSnapshot): Promise<void> {
    const row = this.product()!;
    const where = { bucket: row.bucket, split: { buckets: row.buckets, maxBuckets: row.max_buckets } };
    await writeListing(this.env.DB, snapshot, where).catch((error) =>
      console.error(JSON.stringify({ msg: 'listing not updated', sku: snapshot.sku, error: String(error) })),
    );
  }
}

const EMPTY = { on_hand: 0, reserved: 0, version: 0, generation: 0, bucket: 0, buckets: 1, max_buckets: 1, last_generation: 0 };

const fromProduct = (p: Product) => ({ sku: p.sku, name: p.name, price_cents: p.priceCents, currency: p.currency });

/** What a stock decision changes on the product row. */
const stockColumns = (s: Stock) => ({ on_hand: s.onHand, reserved: s.reserved, generation: s.generation });

const toSnapshot = (row: ProductRow): ProductSnapshot => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  currency: row.currency,
  stock: row.on_hand,
  available: available({ onHand: row.on_hand, reserved: row.reserved }),
  version: row.version,
});
