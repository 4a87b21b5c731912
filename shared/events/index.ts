import * as z from 'zod';
import { CustomerErased } from './customer';
import { InventoryCommitted, InventoryRejected, InventoryReleased, InventoryReserved, ProductUpserted } from './inventory';
import { NotificationSent } from './notification';
import {
  OrderCancellationRequested,
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderFlagged,
  OrderPlaced,
  OrderShipped,
} from './order';
import { PaymentAuthorized, PaymentCaptured, PaymentDeclined, PaymentRefunded, PaymentVoided } from './payment';
import {
  ShipmentCancelled,
  ShipmentCancelRefused,
  ShipmentCreated,
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentException,
} from './shipment';
import { upcast } from './upcast';

export * from './customer';
export * from './envelope';
export * from './inventory';
export * from './notification';
export * from './order';
export * from './payment';
export * from './shipment';

/** Every event of the system; parsing one narrows `data` by `type`. */
export const Event = z.discriminatedUnion('type', [
  OrderPlaced,
  OrderConfirmed,
  OrderCancellationRequested,
  OrderCancelled,
  OrderShipped,
  OrderDelivered,
  OrderFlagged,
  InventoryReserved,
  InventoryRejected,
  InventoryReleased,
  InventoryCommitted,
  ProductUpserted,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentCaptured,
  PaymentVoided,
  PaymentRefunded,
  ShipmentCreated,
  ShipmentDispatched,
  ShipmentDelivered,
  ShipmentCancelled,
  ShipmentCancelRefused,
  ShipmentException,
  NotificationSent,
  CustomerErased,
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event['type'];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;
export type DataOf<T extends EventType> = EventOf<T>['data'];

export const eventTypes = Event.options.map((o) => o.shape.type.value) as EventType[];

/** The current schema version of each event type. */
export const schemaVersions = new Map(
  Event.options.map((o) => [o.shape.type.value as string, o.shape.schemaVersion.value as number]),
);

/**
 * Reads an event from a message body: old schema versions are upcast to the current one, then the
 * whole envelope is validated. Answers the event, or why it is not one.
 */
export function parseEvent(raw: unknown): { success: true; data: Event } | { success: false; reason: string } {
  const parsed = Event.safeParse(upcast(raw, (type) => schemaVersions.get(type)));
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

export type OrderEvent = EventOf<
  | 'order.placed'
  | 'order.confirmed'
  | 'order.cancellation_requested'
  | 'order.cancelled'
  | 'order.shipped'
  | 'order.delivered'
  | 'order.flagged'
>;

/** Every order.* event carries the whole order as of that event. */
export function isOrderEvent(event: Event): event is OrderEvent {
  return event.type.startsWith('order.');
}
