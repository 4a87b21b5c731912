import { describe, expect, it } from 'vitest';
import {
  commitOutcome,
  decide,
  evolve,
  type HoldStatus,
  mergeLines,
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
    stock: { onHand, reserved: 0, generation: 1 },
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
    expect(sold.stock).toEqual({ onHand: 3, reserved: 0, generation: 1 });
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
    expect(sold.stock).toEqual({ onHand: 3, reserved: 0, generation: 1 });
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

describe('moving units between two buckets of a hot SKU', () => {
  const bucket = (onHand: number, generation = 1, reserved = 0): SkuState => ({
    stock: { onHand, reserved, generation },
    hold: null,
    transfer: null,
  });
  const run = (state: SkuState, message: StockMessage) => decide(message, state, now).reduce(evolve, state);
  const send = (transferId = 't1'): StockMessage => ({ type: 'SendTransfer', transferId, to: 0 });
  const receive = (units: number, generation = 1): StockMessage => ({
    type: 'ReceiveTransfer',
    transferId: 't1',
    from: 1,
    units,
    generation,
  });

  it('sends half of the free units, taking them off the shelf at once, never held ones', () => {
    const sent = run(bucket(10, 1, 4), send());
    expect(sent.stock).toEqual({ onHand: 7, reserved: 4, generation: 1 });
    expect(sent.transfer).toMatchObject({ id: 't1', direction: 'out', peer: 0, units: 3, generation: 1, status: 'sent' });
  });

  it('sends a transfer once, and nothing when it has no unit to spare', () => {
    const sent = run(bucket(10), send());
    expect(decide(send(), sent, now)).toEqual([]);
    expect(decide(send('t2'), bucket(1), now)).toEqual([]);
    expect(decide(send('t2'), { stock: null, hold: null }, now)).toEqual([]);
  });

  it('adds a transfer once', () => {
    const received = run(bucket(2), receive(3));
    expect(received.stock).toEqual({ onHand: 5, reserved: 0, generation: 1 });
    expect(received.transfer).toMatchObject({ status: 'received', units: 3 });
    expect(decide(receive(3), received, now)).toEqual([]);
  });

  it('drops units sent before the target was counted again: that count included them', () => {
    const dropped = run(bucket(2, 2), receive(3, 1));
    expect(dropped.stock).toEqual({ onHand: 2, reserved: 0, generation: 2 });
    expect(dropped.transfer).toMatchObject({ status: 'dropped' });
  });

  it('parks units sent for a count that has not reached the target, and adds them with that count', () => {
    const parked = run(bucket(2, 1), receive(3, 2));
    expect(parked.stock).toEqual({ onHand: 2, reserved: 0, generation: 1 });
    expect(parked.transfer).toMatchObject({ status: 'parked' });
    const counted = run({ ...parked, parked: 3 }, { type: 'Recount', onHand: 10, generation: 2 });
    expect(counted.stock).toEqual({ onHand: 13, reserved: 0, generation: 2 });
  });

  it('ignores a count no newer than the last one, and keeps holds through a count', () => {
    expect(decide({ type: 'Recount', onHand: 10, generation: 1 }, bucket(2, 1), now)).toEqual([]);
    expect(run(bucket(5, 1, 4), { type: 'Recount', onHand: 6, generation: 2 }).stock).toEqual({
      onHand: 6,
      reserved: 4,
      generation: 2,
    });
  });

  it('never takes a bucket below its holds to send units, so what is held can always be sold', () => {
    for (const [onHand, reserved] of [
      [0, 0],
      [1, 0],
      [5, 5],
      [6, 3],
      [100, 1],
    ] as const) {
      const after = run(bucket(onHand, 1, reserved), send()).stock!;
      expect(after.onHand - after.reserved, `${onHand}/${reserved}`).toBeGreaterThanOrEqual(0);
      expect(after.onHand - after.reserved, `${onHand}/${reserved}`).toBeGreaterThanOrEqual(Math.floor((onHand - reserved) / 2));
    }
  });
});

describe('an order naming a SKU twice', () => {
  it('holds the SKU once, for both quantities', () => {
    expect(
      mergeLines([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 2 },
    ]);
  });
});
