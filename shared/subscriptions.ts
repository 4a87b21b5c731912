import type { EventType } from './events';

/** An event type, `prefix.*`, or `*` for every event. */
export type Pattern = EventType | `${string}.*` | '*';

/**
 * Who hears what: the router fans each event out to every subscriber whose patterns match its
 * type, and each service handles exactly the types it subscribes to (a test keeps both in step).
 */
export const subscriptions = {
  inventory: ['order.placed', 'order.confirmed', 'order.cancelled'],
  payments: ['order.placed', 'order.confirmed', 'order.cancelled'],
  shipping: ['order.confirmed', 'order.cancellation_requested'],
  // Order events for mail and webhooks; customer.erased to forget what it kept of an erased customer.
  notifications: ['order.*', 'customer.erased'],
  // Every answer the order saga waits for, so it knows when each step is done (or overdue).
  orders: ['inventory.*', 'payment.*', 'shipment.*', 'product.upserted'],
  query: ['*'],
} as const satisfies Record<string, readonly Pattern[]>;

export type Subscriber = keyof typeof subscriptions;
export const subscribers = Object.keys(subscriptions) as Subscriber[];

export function matches(pattern: Pattern, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** The subscribers that hear events of `type`. */
export function subscribersOf(type: string): Subscriber[] {
  return subscribers.filter((s) => (subscriptions[s] as readonly Pattern[]).some((p) => matches(p, type)));
}

/** Who publishes what: every event type has exactly one publisher, named as the event's `source`. */
export const publications = {
  orders: ['order.*'],
  inventory: ['inventory.*', 'product.upserted'],
  payments: ['payment.*'],
  shipping: ['shipment.*'],
  notifications: ['notification.sent'],
  vault: ['customer.erased'],
} as const satisfies Record<string, readonly Pattern[]>;

/** The service that publishes events of `type`. */
export function publisherOf(type: string): string | undefined {
  return Object.entries(publications).find(([, patterns]) => (patterns as readonly Pattern[]).some((p) => matches(p, type)))?.[0];
}
