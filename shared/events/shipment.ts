import * as z from 'zod';
import { defineEvent } from './envelope';
import { ShippingAddress } from './order';

export const ShipmentCreated = defineEvent(
  'shipment.created',
  z.object({ orderId: z.uuid(), shipmentId: z.string(), address: ShippingAddress }),
);

const ShipmentUpdate = z.object({ orderId: z.uuid(), shipmentId: z.string(), trackingNumber: z.string().optional() });

/** The carrier picked the parcel up. */
export const ShipmentDispatched = defineEvent('shipment.dispatched', ShipmentUpdate);
/** The carrier handed the parcel over. */
export const ShipmentDelivered = defineEvent('shipment.delivered', ShipmentUpdate);
/** The order was cancelled before dispatch; the shipment will not go out. */
export const ShipmentCancelled = defineEvent('shipment.cancelled', ShipmentUpdate);
