import type { ProductInput } from '../../shared/api';
import type { ProductSnapshot } from '../../shared/events';
import { factId } from '../../shared/ids';
import { bucketName, countOrder, holdsLine, type Split, shares, stopsWalk, WHOLE, walk } from './buckets';
import { readSplits } from './catalog';
import type { HoldStatus } from './stock';

/** How long an isolate trusts what the listing says of a SKU's split (a change of split takes effect within it). */
export const SPLIT_TTL_MS = 5_000;

const known = new Map<string, { split: Split; at: number }>();

type Line = { sku: string; quantity: number };

/** Where a line of an order stands, and in which bucket. */
export type LineHold = Line & { status: HoldStatus | null; bucket: number };

/**
 * A SKU's stock across its buckets (buckets.ts), as inventory's consumer and service reach it: a
 * line is held, committed, released or undone in the bucket where its units are, the product is
 * read as the sum of its buckets, and a stock count is shared among them. A SKU that was never
 * split is one bucket, its own Durable Object, reached with one call per step as before.
 */
export class Stockroom {
  constructor(private readonly env: Env) {}

  bucket(sku: string, k: number) {
    return this.env.INVENTORY_DO.getByName(bucketName(sku, k));
  }

  /** How each SKU is split: from the listing, trusted for {@link SPLIT_TTL_MS} unless `fresh`. */
  async splits(skus: readonly string[], fresh = false): Promise<Map<string, Split>> {
    const now = Date.now();
    const stale = skus.filter((sku) => fresh || !(now - (known.get(sku)?.at ?? -Infinity) < SPLIT_TTL_MS));
    if (stale.length > 0) {
      for (const [sku, split] of await readSplits(this.env.DB, stale)) known.set(sku, { split, at: now });
    }
    return new Map(skus.map((sku) => [sku, known.get(sku)?.split ?? WHOLE]));
  }

  private async split(sku: string, fresh = false): Promise<Split> {
    return (await this.splits([sku], fresh)).get(sku)!;
  }

  /**
   * Holds a line in the first bucket of its walk that is not short of it. When that was not its
   * own bucket, the bucket that had the units sends half of what it has spare to the short one.
   */
  async reserve(orderId: string, line: Line, placedAt: string): Promise<LineHold> {
    const buckets = walk(orderId, await this.split(line.sku));
    let hold: LineHold = { ...line, status: null, bucket: buckets[0]! };
    for (const bucket of buckets) {
      hold = { ...line, status: await this.bucket(line.sku, bucket).reserve(orderId, line.quantity, placedAt), bucket };
      if (stopsWalk(hold.status)) break;
    }
    if (hold.status === 'held' && hold.bucket !== buckets[0]) await this.rebalance(line.sku, hold.bucket, buckets[0]!, orderId);
    return hold;
  }

  /** Gives back a line held for an order that could not be held whole. */
  async undo(orderId: string, hold: LineHold): Promise<HoldStatus | null> {
    return this.bucket(hold.sku, hold.bucket).undo(orderId);
  }

  /** Sells a line where it is held. */
  async commit(orderId: string, line: Line): Promise<LineHold> {
    const { hold } = await this.find(orderId, line, (bucket) => this.bucket(line.sku, bucket).commit(orderId, line.quantity));
    return hold;
  }

  /**
   * Gives back a line where it is held or sold; if it is held nowhere, bars the bucket its hold
   * would try next, so a hold that comes after the cancel is refused.
   */
  async release(orderId: string, line: Line): Promise<LineHold> {
    const split = await this.split(line.sku);
    if (split.maxBuckets === 1)
      return { ...line, bucket: 0, status: await this.bucket(line.sku, 0).release(orderId, line.quantity) };
    const { hold, asked } = await this.find(orderId, line, (bucket) =>
      this.bucket(line.sku, bucket).release(orderId, line.quantity, true),
    );
    if (holdsLine(hold.status)) return hold;
    // Held nowhere. A bucket that refused the line refuses it for good; bar the first that has not seen it.
    for (const bucket of walk(orderId, await this.split(line.sku))) {
      if (asked.get(bucket) === 'rejected') continue;
      const status = await this.bucket(line.sku, bucket).release(orderId, line.quantity);
      if (status !== 'rejected') return { ...line, status, bucket };
    }
    return hold;
  }

  /**
   * Asks the buckets of a line's walk in turn until one holds (or held) it; if none does, asks
   * the ones a fresh read of the split adds (it may have grown since this isolate last read it).
   * Answers the line (`rejected` when every bucket refused it, else null) and what each bucket said.
   */
  private async find(orderId: string, line: Line, ask: (bucket: number) => Promise<HoldStatus | null>) {
    const asked = new Map<number, HoldStatus | null>();
    for (const fresh of [false, true]) {
      for (const bucket of walk(orderId, await this.split(line.sku, fresh))) {
        if (asked.has(bucket)) continue;
        const status = await ask(bucket);
        asked.set(bucket, status);
        if (holdsLine(status)) return { hold: { ...line, status, bucket }, asked };
      }
    }
    const refused = [...asked.values()].every((status) => status === 'rejected');
    return { hold: { ...line, status: refused ? ('rejected' as const) : null, bucket: 0 }, asked };
  }

  /** Rebalancing is an optimisation: a line is held already, so a failure here is only logged. */
  private async rebalance(sku: string, from: number, to: number, orderId: string): Promise<void> {
    try {
      await this.bucket(sku, from).sendTransfer(factId(`${orderId}/${sku}/transfer`), to);
    } catch (error) {
      console.error(JSON.stringify({ msg: 'rebalancing failed', sku, from, to, error: String(error) }));
    }
  }

  /** The product as customers see it: a split SKU's buckets summed. */
  async read(sku: string): Promise<ProductSnapshot | null> {
    const head = await this.bucket(sku, 0).inspect();
    if (!head || head.split.maxBuckets === 1) return head?.product ?? null;
    const others = await Promise.all(range(1, head.split.maxBuckets).map((k) => this.bucket(sku, k).read()));
    const units = (pick: (p: ProductSnapshot) => number) => others.reduce((n, b) => n + (b ? pick(b) : 0), pick(head.product));
    return { ...head.product, stock: units((p) => p.stock), available: units((p) => p.available) };
  }

  /**
   * Creates or updates a product; `stock` is a new stock count, set absolutely. A split SKU is
   * counted across its buckets: bucket 0 issues the count's generation, then each bucket is
   * counted at it (those that lose units first), keeping its holds and a share of the free units.
   */
  async upsert(sku: string, input: ProductInput, traceparent: string): Promise<ProductSnapshot> {
    const { stock, buckets: asked, ...fields } = input;
    const product = { sku, ...fields };
    const head = await this.bucket(sku, 0).inspect();
    const was = head?.split ?? WHOLE;
    const split = { buckets: asked ?? was.buckets, maxBuckets: Math.max(was.maxBuckets, asked ?? was.buckets) };
    if (split.maxBuckets === 1) return this.bucket(sku, 0).upsert({ ...product, stock }, traceparent);

    const views = [head, ...(await Promise.all(range(1, split.maxBuckets).map((k) => this.bucket(sku, k).inspect())))];
    const reserved = views.map((v) => v?.stock.reserved ?? 0);
    const next = shares(stock, reserved, split.buckets);
    const totals = { stock, available: Math.max(0, stock - reserved.reduce((a, b) => a + b, 0)) };
    const generation = await this.bucket(sku, 0).plan(product, split, totals, traceparent);
    const before = views.map((v) => v?.stock.onHand ?? 0);
    for (const k of countOrder(before, next)) await this.bucket(sku, k).recount(product, k, next[k]!, generation);
    known.delete(sku);
    return (await this.read(sku))!;
  }
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
