import { describe, expect, it } from 'vitest';
import {
  answerAgain,
  decide,
  EXCEPTION_REPEAT_MS,
  EXCEPTION_REPEATS,
  evolve,
  nextWake,
  type Shipment,
  type ShipmentMessage,
} from '../../workers/shipping/shipment';
import { placeholderSealed } from '../helpers/fixtures';

const now = new Date('2026-11-29T10:00:00.000Z');
const orderId = 'order-1';
/** The order's address as the shipment keeps it: sealed (the shell opened it first, to check it can be read). */
const address = placeholderSealed('shippingAddress');
const create: ShipmentMessage = { type: 'Create', orderId, address };
const requestCancel: ShipmentMessage = { type: 'RequestCancel', orderId };
const carrier = (status: 'dispatched' | 'delivered'): ShipmentMessage => ({ type: 'CarrierUpdate', orderId, status });

const given = (...messages: ShipmentMessage[]): Shipment =>
  messages.reduce<Shipment>((state, m) => decide(m, state, now).reduce(evolve, state), { status: 'none' });
const types = (message: ShipmentMessage, state: Shipment) => decide(message, state, now).map((e) => e.type);

describe('a shipment and the carrier', () => {
  it('dispatches a created shipment, then delivers it; a delivery reported first passes through both', () => {
    expect(given(create, carrier('dispatched'), carrier('delivered')).status).toBe('delivered');
    expect(types(carrier('delivered'), given(create))).toEqual(['Dispatched', 'Delivered']);
  });

  it('refuses news of a shipment that does not exist', () => {
    expect(() => decide(carrier('dispatched'), { status: 'none' }, now)).toThrow(/no shipment/);
  });
});

describe('shipping decides a cancellation', () => {
  it('calls off a shipment not yet dispatched, or one not yet created (the request came first)', () => {
    expect(types(requestCancel, given(create))).toEqual(['CalledOff']);
    expect(given(requestCancel, create).status).toBe('cancelled');
  });

  it('refuses once the parcel has left', () => {
    expect(types(requestCancel, given(create, carrier('dispatched')))).toEqual(['CancelRefused']);
  });

  it('records a dispatch after the call-off as an exception, never as a shipment, and announces it again until heard', () => {
    const state = given(create, requestCancel, carrier('dispatched'));
    expect(state).toMatchObject({ status: 'cancelled', exception: 'dispatched' });
    expect(types(carrier('delivered'), state)).toEqual([]);
    const wake = nextWake(state)!;
    expect(wake).toBe(now.getTime() + EXCEPTION_REPEAT_MS);
    let repeated = state;
    for (let i = 0; i < EXCEPTION_REPEATS; i++) {
      const next = nextWake(repeated)!;
      repeated = decide({ type: 'Tick', orderId }, repeated, new Date(next)).reduce(evolve, repeated);
    }
    expect(nextWake(repeated)).toBeNull();
  });

  it('answers a repeated question with the same fact', () => {
    expect(answerAgain(create, given(create))).toMatchObject({ type: 'shipment.created', key: `${orderId}/shipment.created` });
    expect(answerAgain(requestCancel, given(create, requestCancel))).toMatchObject({ type: 'shipment.cancelled' });
    expect(answerAgain(requestCancel, given(create, carrier('dispatched')))).toMatchObject({ type: 'shipment.cancel_refused' });
  });
});
