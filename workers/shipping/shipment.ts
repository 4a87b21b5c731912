import type { Decider } from '../../shared/decider';
import { DomainError } from '../../shared/errors';
import type { EventType } from '../../shared/events';
import type { Sealed } from '../../shared/sealed';

export type ShipmentStatus = 'created' | 'dispatched' | 'delivered' | 'cancelled';
export type CarrierStatus = 'dispatched' | 'delivered';

/**
 * The shipment of one order. Shipping alone knows whether the goods have left, so it is the one
 * authority on a cancellation: it calls the shipment off, or refuses because the parcel is out.
 */
export type Shipment =
  | { status: 'none' }
  | {
      status: ShipmentStatus;
      orderId: string;
      /** Where the parcel goes, as the order carries it: sealed with the customer's key. */
      address?: Sealed;
      trackingNumber?: string;
      /** The carrier reported a parcel whose shipment had been called off. */
      exception?: CarrierStatus;
      /** When the exception was last announced (epoch ms) and how often: it is announced again until told enough times. */
      exceptionAt?: number;
      exceptionRepeats?: number;
    };

/**
 * An exception is announced again (same event id) this many times, with backoff from
 * {@link EXCEPTION_REPEAT_MS}: the one message that tells the order must not be lost for good.
 */
export const EXCEPTION_REPEATS = 6;
export const EXCEPTION_REPEAT_MS = 30_000;

export type ShipmentMessage =
  /** order.confirmed, once the shell has checked that the address can be read */
  | { type: 'Create'; orderId: string; address: Sealed }
  /** order.cancellation_requested */
  | { type: 'RequestCancel'; orderId: string }
  /** A verified carrier webhook (duplicates were dropped by their id before). */
  | { type: 'CarrierUpdate'; orderId: string; status: CarrierStatus; trackingNumber?: string }
  /** The alarm. */
  | { type: 'Tick'; orderId: string };

export type ShipmentEvent =
  | { type: 'Created'; orderId: string; address: Sealed }
  /** Called off: before it was created (the request came first) or before the carrier took it. */
  | { type: 'CalledOff'; orderId: string }
  | { type: 'CancelRefused'; orderId: string; status: CarrierStatus }
  | { type: 'Dispatched'; orderId: string; trackingNumber?: string }
  | { type: 'Delivered'; orderId: string; trackingNumber?: string }
  | { type: 'DispatchedAfterCancel'; orderId: string; carrierStatus: CarrierStatus; at: number }
  | { type: 'ExceptionRepeated'; orderId: string; carrierStatus: CarrierStatus; at: number };

/** What a message does to a shipment; pure. */
export function decide(message: ShipmentMessage, state: Shipment, now: Date): ShipmentEvent[] {
  const { orderId } = message;
  switch (message.type) {
    case 'Tick': {
      const wake = nextWake(state);
      if (state.status === 'none' || !state.exception || wake === null || wake > now.getTime()) return [];
      return [{ type: 'ExceptionRepeated', orderId, carrierStatus: state.exception, at: now.getTime() }];
    }
    case 'Create':
      return state.status === 'none' ? [{ type: 'Created', orderId, address: message.address }] : [];
    case 'RequestCancel':
      switch (state.status) {
        case 'none':
        case 'created':
          return [{ type: 'CalledOff', orderId }];
        case 'dispatched':
        case 'delivered':
          return [{ type: 'CancelRefused', orderId, status: state.status }];
        case 'cancelled':
          return [];
        default: {
          const _exhaustive: never = state;
          return _exhaustive;
        }
      }
    case 'CarrierUpdate': {
      const tracking = message.trackingNumber ?? (state.status !== 'none' ? state.trackingNumber : undefined);
      const t = tracking ? { trackingNumber: tracking } : {};
      switch (state.status) {
        case 'none':
          throw new DomainError('shipment_not_found', 'no shipment for this order');
        case 'cancelled':
          // The physical world insists: never a silent refund, an exception for an operator.
          return state.exception
            ? []
            : [{ type: 'DispatchedAfterCancel', orderId, carrierStatus: message.status, at: now.getTime() }];
        case 'created':
          return message.status === 'dispatched'
            ? [{ type: 'Dispatched', orderId, ...t }]
            : [
                { type: 'Dispatched', orderId, ...t },
                { type: 'Delivered', orderId, ...t },
              ];
        case 'dispatched':
          return message.status === 'delivered' ? [{ type: 'Delivered', orderId, ...t }] : [];
        case 'delivered':
          return [];
        default: {
          const _exhaustive: never = state;
          return _exhaustive;
        }
      }
    }
    default: {
      const _exhaustive: never = message;
      return _exhaustive;
    }
  }
}

/** Applies one event; pure. */
export function evolve(state: Shipment, event: ShipmentEvent): Shipment {
  const base = state.status === 'none' ? { orderId: event.orderId } : state;
  switch (event.type) {
    case 'Created':
      return { ...base, status: 'created', address: event.address };
    case 'CalledOff':
      return { ...base, status: 'cancelled' };
    case 'CancelRefused':
      return state;
    case 'Dispatched':
      return { ...base, status: 'dispatched', ...(event.trackingNumber ? { trackingNumber: event.trackingNumber } : {}) };
    case 'Delivered':
      return { ...base, status: 'delivered', ...(event.trackingNumber ? { trackingNumber: event.trackingNumber } : {}) };
    case 'DispatchedAfterCancel':
      return { ...base, status: 'cancelled', exception: event.carrierStatus, exceptionAt: event.at, exceptionRepeats: 0 };
    case 'ExceptionRepeated':
      return {
        ...base,
        status: 'cancelled',
        exceptionAt: event.at,
        exceptionRepeats: ((base as { exceptionRepeats?: number }).exceptionRepeats ?? 0) + 1,
      };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export const shipment: Decider<ShipmentMessage, Shipment, ShipmentEvent> = {
  initialState: { status: 'none' },
  decide,
  evolve,
};

/** When the shell's alarm must fire (epoch ms): the next announcement of an exception; else null. */
export function nextWake(state: Shipment): number | null {
  if (state.status === 'none' || !state.exception) return null;
  const repeats = state.exceptionRepeats ?? 0;
  if (repeats >= EXCEPTION_REPEATS) return null;
  return (state.exceptionAt ?? 0) + EXCEPTION_REPEAT_MS * 4 ** repeats;
}

export const shipmentId = (orderId: string) => `shp_${orderId}`;

/** A published shipment.* event: type, data and the key of the fact it states (its id). */
export type Announcement = { type: Extract<EventType, `shipment.${string}`>; key: string; data: Record<string, unknown> };

const fact = (type: Announcement['type'], orderId: string, data: Record<string, unknown> = {}): Announcement => ({
  type,
  key: `${orderId}/${type}`,
  data: { orderId, shipmentId: shipmentId(orderId), ...data },
});

/** What the world hears of a shipment event. */
export function announce(event: ShipmentEvent): Announcement {
  const t = 'trackingNumber' in event && event.trackingNumber ? { trackingNumber: event.trackingNumber } : {};
  switch (event.type) {
    case 'Created':
      return fact('shipment.created', event.orderId);
    case 'CalledOff':
      return fact('shipment.cancelled', event.orderId);
    case 'CancelRefused':
      return fact('shipment.cancel_refused', event.orderId, { status: event.status });
    case 'Dispatched':
      return fact('shipment.dispatched', event.orderId, t);
    case 'Delivered':
      return fact('shipment.delivered', event.orderId, t);
    case 'DispatchedAfterCancel':
    case 'ExceptionRepeated':
      return fact('shipment.exception', event.orderId, {
        reason: 'dispatched_after_cancellation',
        carrierStatus: event.carrierStatus,
      });
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * The answer a repeated message gets (a nudge: its first answer may have been lost): the fact that
 * answers it in the shipment's state now, with the same id as the first time.
 */
export function answerAgain(message: ShipmentMessage, state: Shipment): Announcement | null {
  if (message.type === 'CarrierUpdate' || message.type === 'Tick' || state.status === 'none') return null;
  const { orderId } = state;
  if (state.status === 'cancelled') return announce({ type: 'CalledOff', orderId });
  if (message.type === 'Create') return state.address ? announce({ type: 'Created', orderId, address: state.address }) : null;
  return announce({ type: 'CancelRefused', orderId, status: state.status === 'created' ? 'dispatched' : state.status });
}
