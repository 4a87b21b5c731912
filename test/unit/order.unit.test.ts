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

describe('customer cancel', () => {
  const cancel: OrderCommand = { type: 'CancelOrder' };

  it('cancels a pending or confirmed order with reason customer_request', () => {
    expect(given(place, cancel).state).toMatchObject({ status: 'cancelled', cancelReason: 'customer_request' });
    expect(given(place, reserved, authorized, cancel).state).toMatchObject({
      status: 'cancelled',
      cancelReason: 'customer_request',
    });
  });

  it('answers a second cancel with no new event', () => {
    const { state } = given(place, cancel);
    expect(decide(cancel, state, now)).toEqual([]);
  });

  it('refuses once the order is shipped: 409 not_cancellable', () => {
    const { state } = given(place, reserved, authorized, { type: 'RecordShipment', outcome: 'dispatched' });
    expect(() => decide(cancel, state, now)).toThrow(expect.objectContaining({ code: 'not_cancellable', status: 409 }));
  });
});

describe('shipment milestones', () => {
  const dispatched: OrderCommand = { type: 'RecordShipment', outcome: 'dispatched', trackingNumber: 'TRK1' };
  const delivered: OrderCommand = { type: 'RecordShipment', outcome: 'delivered' };

  it('moves a confirmed order to shipped, then delivered', () => {
    const shipped = given(place, reserved, authorized, dispatched).state;
    expect(shipped).toMatchObject({ status: 'shipped', trackingNumber: 'TRK1' });
    expect(given(place, reserved, authorized, dispatched, delivered).state.status).toBe('delivered');
  });

  it('takes a delivery reported before its dispatch as both', () => {
    const { events, state } = given(place, reserved, authorized, delivered, dispatched);
    expect(types(events).slice(-2)).toEqual(['OrderShipped', 'OrderDelivered']);
    expect(state.status).toBe('delivered');
  });

  it('ignores shipment news for an order that is not confirmed', () => {
    expect(given(place, dispatched).state.status).toBe('pending');
    expect(given(place, declined, delivered).state.status).toBe('cancelled');
  });
});

describe('saga deadline', () => {
  const policy = { timeoutMs: 30_000, maxNudges: 2 };
  const check: OrderCommand = { type: 'CheckDeadline', policy };
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('does nothing before the deadline', () => {
    const { state } = given(place);
    expect(decide(check, state, at(29_999))).toEqual([]);
  });

  it('asks again when replies are overdue, then cancels with reason timeout', () => {
    let { state } = given(place);
    const first = decide(check, state, at(30_000));
    expect(first).toEqual([{ type: 'SagaNudged', data: { at: at(30_000).toISOString(), attempt: 1 } }]);
    state = first.reduce(evolve, state);
    // The clock restarts from the nudge.
    expect(decide(check, state, at(59_999))).toEqual([]);
    state = decide(check, state, at(60_000)).reduce(evolve, state);
    const last = decide(check, state, at(90_000));
    expect(types(last)).toEqual(['OrderCancelled']);
    expect(last.reduce(evolve, state)).toMatchObject({ status: 'cancelled', cancelReason: 'timeout' });
  });

  it('leaves a settled order alone', () => {
    const { state } = given(place, reserved, authorized);
    expect(decide(check, state, at(10 * 60_000))).toEqual([]);
  });
});
