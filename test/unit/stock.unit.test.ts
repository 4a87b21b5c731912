import { describe, expect, it } from 'vitest';
import {
  commitOutcome,
  decide,
  evolve,
  type HoldStatus,
  releaseOutcome,
  reservationOutcome,
  type SkuState,
  type StockMessage,
} from '../../workers/inventory/stock';

const now = new Date('2026-11-29T10:00:00.000Z');
const order = 'order-1';
const reserve = (quantity = 2): StockMessage => ({
  type: 'Reserve',
  orderId: order,
  quantity,
  ttlMs: 900_000,
  placedAt: now.toISOString(),
  maxAgeMs: 7 * 24 * 3_600_000,
});

function given(onHand: number, ...messages: StockMessage[]): SkuState {
  return messages.reduce<SkuState>((state, m) => decide(m, state, now).reduce(evolve, state), {
    stock: { onHand, reserved: 0 },
    hold: null,
  });
}

describe('one SKU and one order’s hold', () => {
  it('holds what is available, once', () => {
    const held = given(5, reserve());
    expect(held).toMatchObject({ stock: { onHand: 5, reserved: 2 }, hold: { status: 'held', quantity: 2 } });
    expect(decide(reserve(), held, now)).toEqual([]);
  });

  it('rejects more than is available, and never holds it later', () => {
    expect(given(1, reserve()).hold?.status).toBe('rejected');
  });

  it('bars a hold whose order was cancelled first', () => {
    const barred = given(5, { type: 'Release', orderId: order, quantity: 2 }, reserve());
    expect(barred).toMatchObject({ stock: { onHand: 5, reserved: 0 }, hold: { status: 'barred' } });
  });

  it('sells a hold, and returns a sale to the shelf on cancel, once', () => {
    const sold = given(5, reserve(), { type: 'Commit', orderId: order, quantity: 2 });
    expect(sold.stock).toEqual({ onHand: 3, reserved: 0 });
    const returned = given(
      5,
      reserve(),
      { type: 'Commit', orderId: order, quantity: 2 },
      { type: 'Release', orderId: order, quantity: 2 },
    );
    expect(returned).toMatchObject({ stock: { onHand: 5, reserved: 0 }, hold: { status: 'returned' } });
    expect(decide({ type: 'Release', orderId: order, quantity: 2 }, returned, now)).toEqual([]);
  });

  it('never undoes a sale on the all-or-nothing path (issue 7, defect 1)', () => {
    const sold = given(3, reserve(3), { type: 'Commit', orderId: order, quantity: 3 });
    expect(decide(reserve(3), sold, now)).toEqual([]);
    expect(decide({ type: 'Undo', orderId: order }, sold, now)).toEqual([]);
  });

  it('ignores an order.placed older than settled holds are kept', () => {
    const old = { ...reserve(), placedAt: '2026-11-01T00:00:00.000Z' };
    expect(decide(old, given(5), now)).toEqual([]);
  });

  it('frees a hold past its time, and takes it again on a late confirmation while the units are there', () => {
    const late = new Date(now.getTime() + 900_000);
    const expired = decide({ type: 'Expire', orderId: order }, given(5, reserve()), late).reduce(evolve, given(5, reserve()));
    expect(expired).toMatchObject({ stock: { onHand: 5, reserved: 0 }, hold: { status: 'expired' } });
    const sold = decide({ type: 'Commit', orderId: order, quantity: 2 }, expired, late).reduce(evolve, expired);
    expect(sold.stock).toEqual({ onHand: 3, reserved: 0 });
  });
});

describe('what inventory answers for the whole order', () => {
  const lines = [
    { sku: 'A', quantity: 1 },
    { sku: 'B', quantity: 1 },
  ];

  it('answers reserved again when a replay meets holds already sold', () => {
    expect(reservationOutcome(lines, ['committed', 'committed'])).toEqual({ answer: 'inventory.reserved' });
  });

  it('rejects and undoes only the lines held now when one is short', () => {
    expect(reservationOutcome(lines, ['held', 'rejected'])).toEqual({
      answer: 'inventory.rejected',
      short: ['B'],
      undo: [{ sku: 'A', quantity: 1 }],
    });
  });

  it('says released only for units that came back, rejected when none were ever held', () => {
    expect(releaseOutcome(lines, ['released', 'barred'])).toEqual({ answer: 'inventory.released', items: [lines[0]] });
    expect(releaseOutcome(lines, ['rejected', 'barred'] as HoldStatus[])).toMatchObject({
      answer: 'inventory.rejected',
      reason: 'out_of_stock',
    });
    expect(releaseOutcome(lines, ['barred', 'barred'])).toMatchObject({
      answer: 'inventory.rejected',
      reason: 'order_cancelled',
    });
  });

  it('says committed only once every line is sold', () => {
    expect(commitOutcome(['committed', 'held'])).toBeNull();
    expect(commitOutcome(['committed', 'committed'])).toBe('inventory.committed');
  });
});
