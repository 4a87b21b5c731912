import { MAX_BUCKETS } from '../../shared/events';
import { shardOf } from '../../shared/shard';
import type { HoldStatus } from './stock';

/**
 * Hot-SKU stock buckets: a SKU's units may be split across K InventoryDOs, so a flash sale of one
 * product is not capped by what one Durable Object serves. Pure: which object is which bucket,
 * the order in which an order line tries them, and how a stock count is shared among them.
 *
 * A line holds its units in one bucket, all or nothing: the one its order hashes to, or, when that
 * one is short, the next ones round in a fixed order. Each bucket remembers every order it
 * refused, so a line asked again (a redelivery, a replay) walks the same way and stops where its
 * units are held: never in two buckets.
 */

export { MAX_BUCKETS };

/**
 * How a SKU is split: new holds go to `buckets` buckets; up to `maxBuckets` (the most it was ever
 * split into) may still hold units from an earlier split, and are tried last.
 */
export interface Split {
  buckets: number;
  maxBuckets: number;
}

/** A SKU that was never split: its own Durable Object is its only bucket. */
export const WHOLE: Split = { buckets: 1, maxBuckets: 1 };

/** The Durable Object of bucket `k`: bucket 0 is the SKU's own object, so a SKU split once is what it always was. */
export const bucketName = (sku: string, k: number) => (k === 0 ? sku : `${sku}#${k}`);

/**
 * The buckets a line of `orderId` tries, in order: the one the order hashes to, the next ones
 * round, then those of an earlier, larger split.
 */
export function walk(orderId: string, split: Split): number[] {
  const first = shardOf(orderId, split.buckets);
  const active = Array.from({ length: split.buckets }, (_, i) => (first + i) % split.buckets);
  const retired = Array.from({ length: Math.max(0, split.maxBuckets - split.buckets) }, (_, i) => split.buckets + i);
  return [...active, ...retired];
}

/**
 * Whether a line's walk stops at a bucket that answered `status`: at every answer but a refusal
 * for want of units. (`null`: the order is too old to hold again, which every bucket says alike.)
 */
export const stopsWalk = (status: HoldStatus | null) => status !== 'rejected';

/** Whether a bucket holds (or held) units of the order: where commit and release find a line. */
export const holdsLine = (status: HoldStatus | null) => status !== null && status !== 'rejected';

/**
 * What each bucket has on hand when a count sets the SKU's stock to `stock` absolutely: every
 * bucket keeps what it holds for orders, and the free units are shared evenly among the active
 * buckets (a retired one keeps only its holds). If `stock` is below what is held, the shortfall
 * is taken from the buckets in turn, as one object would set its stock below its holds. The
 * shares always add up to `stock`.
 *
 * @example
 * shares(10, [2, 0, 1], 3) // [5, 2, 3]: 7 free units shared 3/2/2, each bucket's holds on top
 */
export function shares(stock: number, reserved: readonly number[], buckets: number): number[] {
  const free = stock - reserved.reduce((a, b) => a + b, 0);
  if (free >= 0) {
    return reserved.map((held, k) => (k < buckets ? held + Math.floor(free / buckets) + (k < free % buckets ? 1 : 0) : held));
  }
  let short = -free;
  return reserved.map((held) => {
    const cut = Math.min(held, short);
    short -= cut;
    return held - cut;
  });
}

/**
 * The order in which to count the buckets again: those that lose units first, so while a count
 * is under way (or if it stops part way) the buckets together never promise more than the old
 * count or the new one.
 */
export function countOrder(before: readonly number[], after: readonly number[]): number[] {
  return after.map((_, k) => k).sort((a, b) => after[a]! - (before[a] ?? 0) - (after[b]! - (before[b] ?? 0)) || a - b);
}
