import { z } from 'zod';
import { InventoryCommitted, InventoryRejected, InventoryReleased, InventoryReserved, ProductUpserted } from './inventory';
import { NotificationSent } from './notification';
import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderPlaced, OrderShipped } from './order';
import { PaymentAuthorized, PaymentCaptured, PaymentDeclined, PaymentRefunded, PaymentVoided } from './payment';
import { ShipmentCancelled, ShipmentCreated, ShipmentDelivered, ShipmentDispatched } from './shipment';

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
  OrderCancelled,
  OrderShipped,
  OrderDelivered,
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
  NotificationSent,
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event['type'];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;
export type DataOf<T extends EventType> = EventOf<T>['data'];

export const eventTypes = Event.options.map((o) => o.shape.type.value) as EventType[];
