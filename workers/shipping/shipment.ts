import { AppError } from '../../shared/errors';

export type ShipmentStatus = 'created' | 'dispatched' | 'delivered' | 'cancelled';
export type CarrierStatus = 'dispatched' | 'delivered';

/**
 * What a carrier update does to a shipment: the statuses it passes through, in order (a delivery
 * reported before its dispatch passes through both). Refused for unknown or cancelled shipments.
 */
export function applyCarrierUpdate(current: ShipmentStatus | null, update: CarrierStatus): CarrierStatus[] {
  if (current === null) throw new AppError({ code: 'shipment_not_found', message: 'no shipment for this order', status: 404 });
  if (current === 'cancelled')
    throw new AppError({ code: 'shipment_cancelled', message: 'the shipment was cancelled', status: 409 });
  if (update === 'dispatched') return current === 'created' ? ['dispatched'] : [];
  if (current === 'created') return ['dispatched', 'delivered'];
  return current === 'dispatched' ? ['delivered'] : [];
}
