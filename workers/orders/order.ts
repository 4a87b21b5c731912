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
  | { type: 'OrderCancelled'; data: { reason: CancelReason; at: string } };

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
      version: number;
      placedAt: string;
      updatedAt: string;
    };
export type PlacedOrder = Exclude<Order, { status: 'empty' }>;

export const initialOrder: Order = { status: 'empty', version: 0 };

export type OrderCommand =
  | { type: 'PlaceOrder'; data: Omit<Extract<OrderEvent, { type: 'OrderPlaced' }>['data'], 'at'> }
  | { type: 'RecordStock'; outcome: 'reserved' | 'rejected' }
  | { type: 'RecordPayment'; outcome: 'authorized' | 'declined' };

/** Decides what happens when `command` meets the order in `state`; pure, `now` is passed in. */
export function decide(command: OrderCommand, state: Order, now: Date): OrderEvent[] {
  const at = now.toISOString();
  const { type } = command;
  switch (type) {
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
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
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
    return { ...order, status: 'pending', stock: 'awaiting', payment: 'awaiting', version: 1, placedAt: at, updatedAt: at };
  }
  const order = placed(state);
  const next = { ...order, version: order.version + 1, updatedAt: event.data.at };
  const { type } = event;
  switch (type) {
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
    case 'OrderCancelled':
      return { ...next, status: 'cancelled', cancelReason: event.data.reason };
    default: {
      const _exhaustive: never = type;
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
    version: order.version,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
  };
}
