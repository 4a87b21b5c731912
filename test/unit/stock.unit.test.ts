import { describe, expect, it } from 'vitest';
import { available, commit, recount, release, reserve } from '../../workers/inventory/stock';

describe('stock arithmetic', () => {
  const shelf = { onHand: 5, reserved: 0 };

  it('holds units while enough are available', () => {
    const held = reserve(shelf, 3);
    expect(held).toEqual({ onHand: 5, reserved: 3 });
    expect(available(held!)).toBe(2);
  });

  it('refuses to hold more than is available, or nothing', () => {
    expect(reserve({ onHand: 5, reserved: 3 }, 3)).toBeNull();
    expect(reserve(shelf, 0)).toBeNull();
    expect(reserve(shelf, -1)).toBeNull();
  });

  it('can hold the last unit, then no more', () => {
    const last = reserve(shelf, 5)!;
    expect(available(last)).toBe(0);
    expect(reserve(last, 1)).toBeNull();
  });

  it('gives held units back on release', () => {
    expect(release({ onHand: 5, reserved: 3 }, 3)).toEqual(shelf);
  });

  it('takes committed units off the shelf and out of the hold', () => {
    expect(commit({ onHand: 5, reserved: 3 }, 3)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('never reports negative availability when stock is counted below what is held', () => {
    const counted = recount({ onHand: 5, reserved: 4 }, 2);
    expect(counted).toEqual({ onHand: 2, reserved: 4 });
    expect(available(counted)).toBe(0);
  });
});
