import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { decide, evolve, initialOrder, type Order, type OrderCommand, type OrderEvent } from '../../workers/orders/order';
import { makePlaceOrder } from '../helpers/fixtures';

const now = new Date('2026-11-28T10:00:00.000Z');
const place = makePlaceOrder();
const reserved: OrderCommand = { type: 'RecordStock', outcome: 'reserved' };
const rejected: OrderCommand = { type: 'RecordStock', outcome: 'rejected' };
const authorized: OrderCommand = { type: 'RecordPayment', outcome: 'authorized' };
const declined: OrderCommand = { type: 'RecordPayment', outcome: 'declined' };

/** Given the commands so far, the state and every event they produced. */
function given(...commands: OrderCommand[]): { state: Order; events: OrderEvent[] } {
  let state = initialOrder;
  const events: OrderEvent[] = [];
  for (const command of commands) {
    const produced = decide(command, state, now);
    events.push(...produced);
    state = produced.reduce(evolve, state);
  }
  return { state, events };
}

const types = (events: OrderEvent[]) => events.map((e) => e.type);

describe('order decide/evolve', () => {
  it('places a pending order at version 1', () => {
    const { state, events } = given(place);
    expect(types(events)).toEqual(['OrderPlaced']);
    expect(state).toMatchObject({ status: 'pending', stock: 'awaiting', payment: 'awaiting', version: 1 });
  });

  it('refuses to place the same order twice', () => {
    const { state } = given(place);
    expect(() => decide(place, state, now)).toThrow(AppError);
  });

  it('confirms once stock is reserved and payment authorized, in either order', () => {
    const a = given(place, reserved, authorized);
    const b = given(place, authorized, reserved);
    expect(types(a.events)).toEqual(['OrderPlaced', 'StockReserved', 'PaymentAuthorized', 'OrderConfirmed']);
    expect(types(b.events)).toEqual(['OrderPlaced', 'PaymentAuthorized', 'StockReserved', 'OrderConfirmed']);
    expect(a.state.status).toBe('confirmed');
    expect(b.state).toEqual(a.state);
  });

  it('stays pending while one reply is missing', () => {
    expect(given(place, reserved).state.status).toBe('pending');
    expect(given(place, authorized).state.status).toBe('pending');
  });

  it('cancels with payment_declined when the card is declined', () => {
    const { state, events } = given(place, reserved, declined);
    expect(types(events).at(-1)).toBe('OrderCancelled');
    expect(state).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined' });
  });

  it('cancels with out_of_stock when stock is rejected', () => {
    const { state } = given(place, authorized, rejected);
    expect(state).toMatchObject({ status: 'cancelled', cancelReason: 'out_of_stock' });
  });

  it('ignores replies that arrive after the order is settled', () => {
    const cancelled = given(place, declined).state;
    expect(decide(reserved, cancelled, now)).toEqual([]);
    expect(decide(rejected, cancelled, now)).toEqual([]);
    const confirmed = given(place, reserved, authorized).state;
    expect(decide(declined, confirmed, now)).toEqual([]);
  });

  it('ignores a repeated reply', () => {
    const { state } = given(place, reserved);
    expect(decide(reserved, state, now)).toEqual([]);
  });

  it('refuses replies for an order that was never placed', () => {
    expect(() => decide(reserved, initialOrder, now)).toThrow(/no such order/);
  });

  it('rebuilds the same state from its events', () => {
    const { state, events } = given(place, authorized, reserved);
    expect(events.reduce(evolve, initialOrder)).toEqual(state);
    expect(state.version).toBe(events.length);
  });
});
