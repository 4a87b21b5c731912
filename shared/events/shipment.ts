import { z } from 'zod';
import { defineEvent } from './envelope';
import { ShippingAddress } from './order';

export const ShipmentCreated = defineEvent(
  'shipment.created',
  z.object({ orderId: z.uuid(), shipmentId: z.string(), address: ShippingAddress }),
);
