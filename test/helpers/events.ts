import type { DataOf, EventOf, EventType } from '../../shared/events';
import { newEvent } from '../../shared/publish';
import { publisherOf } from '../../shared/subscriptions';
import { makeOrder } from './fixtures';

/** An event in the shared envelope; `data` and envelope fields can be overridden. */
export function makeEvent<T extends EventType>(type: T, data: DataOf<T>, overrides: Partial<EventOf<T>> = {}): EventOf<T> {
  const subject =
    'orderId' in data
      ? data.orderId
      : 'id' in data
        ? data.id
        : 'sku' in data
          ? data.sku
          : 'customerId' in data
            ? data.customerId
            : 'subject';
  return { ...newEvent(type, data, { source: publisherOf(type) ?? 'test', subject, cause: null }), ...overrides };
}

export function makeOrderPlaced(overrides: Parameters<typeof makeOrder>[0] = {}) {
  return makeEvent('order.placed', makeOrder(overrides));
}

/** A message for `createMessageBatch`. */
export function message(body: unknown, overrides: { id?: string; attempts?: number } = {}) {
  return { id: overrides.id ?? crypto.randomUUID(), timestamp: new Date(), attempts: overrides.attempts ?? 1, body };
}

/** An order placed, then settled `ms` later, as the OrderDO publishes them. */
export function placedAndSettled(
  ms: number,
  settle: 'confirmed' | 'cancelled' = 'confirmed',
  cancelReason: 'payment_declined' | 'out_of_stock' = 'payment_declined',
) {
  const order = makeOrder({ placedAt: new Date(Date.now() - ms).toISOString() });
  const { payment: _, ...snapshot } = order;
  const placed = newEvent('order.placed', order, {
    source: 'orders',
    subject: order.id,
    cause: null,
    now: new Date(Date.parse(order.placedAt)),
  });
  const settled =
    settle === 'confirmed'
      ? newEvent('order.confirmed', { ...snapshot, status: 'confirmed' }, { source: 'orders', subject: order.id, cause: placed })
      : newEvent(
          'order.cancelled',
          { ...snapshot, status: 'cancelled', cancelReason },
          { source: 'orders', subject: order.id, cause: placed },
        );
  return { order, placed, settled };
}
