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
