import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../shared/shard';
import { bucketName, countOrder, holdsLine, shares, stopsWalk, WHOLE, walk } from '../../workers/inventory/buckets';
import type { HoldStatus } from '../../workers/inventory/stock';

describe('which Durable Object is which bucket', () => {
  it('keeps bucket 0 as the SKU’s own object, so a SKU that is not split is what it always was', () => {
    expect([0, 1, 7].map((k) => bucketName('MUG-350', k))).toEqual(['MUG-350', 'MUG-350#1', 'MUG-350#7']);
    expect(walk(crypto.randomUUID(), WHOLE)).toEqual([0]);
  });
});

describe('the walk of an order line over the buckets', () => {
  it('starts at the bucket the order hashes to, goes round the others, then tries retired ones', () => {
    const order = crypto.randomUUID();
    const first = shardOf(order, 4);
    expect(walk(order, { buckets: 4, maxBuckets: 6 })).toEqual([first, (first + 1) % 4, (first + 2) % 4, (first + 3) % 4, 4, 5]);
  });

  it('visits every bucket once, the same way every time it is asked', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 64 }), fc.nat(64), (order, buckets, extra) => {
        const split = { buckets, maxBuckets: buckets + extra };
        const w = walk(order, split);
        expect([...w].sort((a, b) => a - b)).toEqual(Array.from({ length: split.maxBuckets }, (_, i) => i));
        expect(walk(order, split)).toEqual(w);
      }),
    );
  });

  it('spreads orders evenly over the buckets', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[walk(crypto.randomUUID(), { buckets: 16, maxBuckets: 16 })[0]!]++;
    for (const n of counts) expect(n).toBeGreaterThan(850);
    for (const n of counts) expect(n).toBeLessThan(1150);
  });

  it('stops where the units are held (or were), and only passes a bucket that refused for want of units', () => {
    const settled: (HoldStatus | null)[] = ['held', 'committed', 'returned', 'released', 'expired', 'barred', null];
    expect(settled.map(stopsWalk)).toEqual(new Array(7).fill(true));
    expect(stopsWalk('rejected')).toBe(false);
    expect(holdsLine('barred')).toBe(true);
    expect([null, 'rejected' as const].map(holdsLine)).toEqual([false, false]);
  });
});

describe('sharing a stock count among the buckets', () => {
  it('keeps every bucket’s holds and shares the free units evenly among the active buckets', () => {
    expect(shares(10, [2, 0, 1], 3)).toEqual([5, 2, 3]);
    expect(shares(100, [0, 0, 0, 0], 4)).toEqual([25, 25, 25, 25]);
    // A retired bucket keeps only what it holds for orders.
    expect(shares(10, [0, 0, 3], 2)).toEqual([4, 3, 3]);
  });

  it('takes a count below what is held from the buckets in turn, as one object would', () => {
    expect(shares(3, [2, 2, 1], 3)).toEqual([0, 2, 1]);
  });

  it('always adds up to the count, and never leaves a bucket below zero', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.array(fc.nat(500), { minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (stock, reserved, buckets) => {
          const split = shares(stock, reserved, Math.min(buckets, reserved.length));
          expect(split.reduce((a, b) => a + b, 0)).toBe(stock);
          for (const units of split) expect(units).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('counts the buckets that lose units first, so no moment of a count promises more than before and after', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(100), fc.nat(100)), { minLength: 1, maxLength: 16 }), (pairs) => {
        const before = pairs.map(([b]) => b);
        const after = pairs.map(([, a]) => a);
        const order = countOrder(before, after);
        expect([...order].sort((a, b) => a - b)).toEqual(before.map((_, k) => k));
        const current = [...before];
        const bound = Math.max(sum(before), sum(after));
        for (const k of order) {
          current[k] = after[k]!;
          expect(sum(current)).toBeLessThanOrEqual(bound);
        }
      }),
    );
  });
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
