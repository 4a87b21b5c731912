import type { Handlers } from '../../shared/consume';

/** What shipping does with each order event; the ShipmentDO of the order decides each step once. */
export function handlers(env: Env): Handlers {
  const shipment = (orderId: string) => env.SHIPMENT_DO.getByName(orderId);
  return {
    'order.confirmed': async (e) => void (await shipment(e.data.id).create(e.data, e)),
    'order.cancellation_requested': async (e) => void (await shipment(e.data.id).requestCancel(e.data.id, e)),
  };
}
