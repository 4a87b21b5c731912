import { AppError } from '../../shared/errors';
import type { CancelReason, OrderLine, OrderSnapshot, OrderStatus, ShippingAddress } from '../../shared/events';

/** What happened to one order: its stream, in the order it happened. */
export type OrderEvent =
  | {
      type: 'OrderPlaced';
      data: {
        id: string;
        customerId: string;
        items: OrderLine[];
        totalCents: number;
        currency: string;
        shippingAddress: ShippingAddress;
        paymentToken: string;
        at: string;
      };
    }
  | { type: 'StockReserved'; data: { at: string } }
  | { type: 'StockRejected'; data: { at: string } }
  | { type: 'PaymentAuthorized'; data: { at: string } }
  | { type: 'PaymentDeclined'; data: { at: string } }
  | { type: 'OrderConfirmed'; data: { at: string } }
  /** A reply was overdue: order.placed is sent again so inventory and payments answer again. */
  | { type: 'SagaNudged'; data: { at: string; attempt: number } }
  | { type: 'OrderCancelled'; data: { reason: CancelReason; at: string } }
  | { type: 'OrderShipped'; data: { at: string; trackingNumber?: string } }
  | { type: 'OrderDelivered'; data: { at: string } };

export type Order =
  | { status: 'empty'; version: 0 }
  | {
      status: OrderStatus;
      id: string;
      customerId: string;
      items: OrderLine[];
      totalCents: number;
      currency: string;
      shippingAddress: ShippingAddress;
      paymentToken: string;
      stock: 'awaiting' | 'reserved' | 'rejected';
      payment: 'awaiting' | 'authorized' | 'declined';
      cancelReason?: CancelReason;
      trackingNumber?: string;
      /** How often the saga has asked again for overdue replies. */
      nudges: number;
      /** Since when the saga has been waiting for replies (placed, or last nudged). */
      waitingSince: string;
      version: number;
      placedAt: string;
      updatedAt: string;
    };
export type PlacedOrder = Exclude<Order, { status: 'empty' }>;

export const initialOrder: Order = { status: 'empty', version: 0 };

/** How long the saga waits for inventory and payments, and how often it asks again before giving up. */
export interface SagaPolicy {
  timeoutMs: number;
  maxNudges: number;
}

export type OrderCommand =
  | { type: 'PlaceOrder'; data: Omit<Extract<OrderEvent, { type: 'OrderPlaced' }>['data'], 'at'> }
  | { type: 'RecordStock'; outcome: 'reserved' | 'rejected' }
  | { type: 'RecordPayment'; outcome: 'authorized' | 'declined' }
  | { type: 'RecordShipment'; outcome: 'dispatched' | 'delivered'; trackingNumber?: string }
  | { type: 'CancelOrder' }
  | { type: 'CheckDeadline'; policy: SagaPolicy };

/** Decides what happens when `command` meets the order in `state`; pure, `now` is passed in. */
export function decide(command: OrderCommand, state: Order, now: Date): OrderEvent[] {
  const at = now.toISOString();
  switch (command.type) {
    case 'PlaceOrder':
      if (state.status !== 'empty')
        throw new AppError({ code: 'order_exists', message: 'the order already exists', status: 409 });
      return [{ type: 'OrderPlaced', data: { ...command.data, at } }];
    case 'RecordStock': {
      const order = placed(state);
      if (order.status !== 'pending' || order.stock !== 'awaiting') return [];
      if (command.outcome === 'rejected') {
        return [
          { type: 'StockRejected', data: { at } },
          { type: 'OrderCancelled', data: { reason: 'out_of_stock', at } },
        ];
      }
      return [{ type: 'StockReserved', data: { at } }, ...confirmIf(order.payment === 'authorized', at)];
    }
    case 'RecordPayment': {
      const order = placed(state);
      if (order.status !== 'pending' || order.payment !== 'awaiting') return [];
      if (command.outcome === 'declined') {
        return [
          { type: 'PaymentDeclined', data: { at } },
          { type: 'OrderCancelled', data: { reason: 'payment_declined', at } },
        ];
      }
      return [{ type: 'PaymentAuthorized', data: { at } }, ...confirmIf(order.stock === 'reserved', at)];
    }
    case 'RecordShipment': {
      const order = placed(state);
      const shipped: OrderEvent = {
        type: 'OrderShipped',
        data: { at, ...(command.trackingNumber ? { trackingNumber: command.trackingNumber } : {}) },
      };
      if (command.outcome === 'dispatched') return order.status === 'confirmed' ? [shipped] : [];
      // A delivery reported before its dispatch still means the order went out.
      if (order.status === 'confirmed') return [shipped, { type: 'OrderDelivered', data: { at } }];
      return order.status === 'shipped' ? [{ type: 'OrderDelivered', data: { at } }] : [];
    }
    case 'CancelOrder': {
      const order = placed(state);
      if (order.status === 'cancelled') return [];
      if (order.status === 'shipped' || order.status === 'delivered') {
        throw new AppError({ code: 'not_cancellable', message: `the order is already ${order.status}`, status: 409 });
      }
      return [{ type: 'OrderCancelled', data: { reason: 'customer_request', at } }];
    }
    case 'CheckDeadline': {
      const order = placed(state);
      if (order.status !== 'pending' || now.getTime() < deadline(order, command.policy)) return [];
      if (order.nudges < command.policy.maxNudges) return [{ type: 'SagaNudged', data: { at, attempt: order.nudges + 1 } }];
      return [{ type: 'OrderCancelled', data: { reason: 'timeout', at } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** When a pending order next needs attention, in epoch milliseconds. */
export function deadline(order: PlacedOrder, policy: SagaPolicy): number {
  return Date.parse(order.waitingSince) + policy.timeoutMs;
}

function confirmIf(ready: boolean, at: string): OrderEvent[] {
  return ready ? [{ type: 'OrderConfirmed', data: { at } }] : [];
}

function placed(state: Order): PlacedOrder {
  if (state.status === 'empty') throw new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });
  return state;
}

/** Applies one event to the state; pure. */
export function evolve(state: Order, event: OrderEvent): Order {
  if (event.type === 'OrderPlaced') {
    const { at, ...order } = event.data;
    return {
      ...order,
      status: 'pending',
      stock: 'awaiting',
      payment: 'awaiting',
      nudges: 0,
      waitingSince: at,
      version: 1,
      placedAt: at,
      updatedAt: at,
    };
  }
  const order = placed(state);
  const next = { ...order, version: order.version + 1, updatedAt: event.data.at };
  switch (event.type) {
    case 'StockReserved':
      return { ...next, stock: 'reserved' };
    case 'StockRejected':
      return { ...next, stock: 'rejected' };
    case 'PaymentAuthorized':
      return { ...next, payment: 'authorized' };
    case 'PaymentDeclined':
      return { ...next, payment: 'declined' };
    case 'OrderConfirmed':
      return { ...next, status: 'confirmed' };
    case 'SagaNudged':
      return { ...next, nudges: event.data.attempt, waitingSince: event.data.at };
    case 'OrderCancelled':
      return { ...next, status: 'cancelled', cancelReason: event.data.reason };
    case 'OrderShipped':
      return { ...next, status: 'shipped', ...(event.data.trackingNumber ? { trackingNumber: event.data.trackingNumber } : {}) };
    case 'OrderDelivered':
      return { ...next, status: 'delivered' };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The order as customers and other services see it. */
export function snapshot(order: PlacedOrder): OrderSnapshot {
  return {
    id: order.id,
    customerId: order.customerId,
    status: order.status,
    items: order.items,
    totalCents: order.totalCents,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    ...(order.cancelReason ? { cancelReason: order.cancelReason } : {}),
    ...(order.trackingNumber ? { trackingNumber: order.trackingNumber } : {}),
    version: order.version,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
  };
}
