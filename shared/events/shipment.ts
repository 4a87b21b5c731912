import * as z from 'zod';
import { defineEvent } from './envelope';

/** Version 2 dropped the address: no one who hears of a shipment needs it (the order carries it, sealed). */
export const ShipmentCreated = defineEvent('shipment.created', z.object({ orderId: z.uuid(), shipmentId: z.string() }), 2);

const ShipmentUpdate = z.object({ orderId: z.uuid(), shipmentId: z.string(), trackingNumber: z.string().optional() });

/** The carrier picked the parcel up. */
export const ShipmentDispatched = defineEvent('shipment.dispatched', ShipmentUpdate);
/** The carrier handed the parcel over. */
export const ShipmentDelivered = defineEvent('shipment.delivered', ShipmentUpdate);
/** The order was cancelled before dispatch; the shipment will not go out. */
export const ShipmentCancelled = defineEvent('shipment.cancelled', ShipmentUpdate);
/** A cancellation request came too late: the parcel has left. The order goes on. */
export const ShipmentCancelRefused = defineEvent(
  'shipment.cancel_refused',
  z.object({ orderId: z.uuid(), shipmentId: z.string(), status: z.enum(['dispatched', 'delivered']) }),
);
/** The carrier reported a parcel whose shipment had been called off: an exception for an operator. */
export const ShipmentException = defineEvent(
  'shipment.exception',
  z.object({
    orderId: z.uuid(),
    shipmentId: z.string(),
    reason: z.literal('dispatched_after_cancellation'),
    carrierStatus: z.enum(['dispatched', 'delivered']),
  }),
);
