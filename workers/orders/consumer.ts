import type { Handlers } from '../../shared/consume';
import { applyProductUpserted } from './catalog';

/** What the orders service does with each event it subscribes to. */
export function handlers(env: Env): Handlers {
  const order = (id: string) => env.ORDER_DO.getByName(id);
  return {
    'inventory.reserved': (e) => order(e.data.orderId).handle({ type: 'RecordStock', outcome: 'reserved' }, e),
    'inventory.rejected': (e) => order(e.data.orderId).handle({ type: 'RecordStock', outcome: 'rejected' }, e),
    'payment.authorized': (e) => order(e.data.orderId).handle({ type: 'RecordPayment', outcome: 'authorized' }, e),
    'payment.declined': (e) => order(e.data.orderId).handle({ type: 'RecordPayment', outcome: 'declined' }, e),
    'shipment.dispatched': (e) =>
      order(e.data.orderId).handle({ type: 'RecordShipment', outcome: 'dispatched', trackingNumber: e.data.trackingNumber }, e),
    'shipment.delivered': (e) => order(e.data.orderId).handle({ type: 'RecordShipment', outcome: 'delivered' }, e),
    'product.upserted': (e) => applyProductUpserted(env.DB, e.data),
  };
}
