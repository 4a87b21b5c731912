import type { Handlers } from '../../shared/consume';
import type { EventOf } from '../../shared/events';
import { applyProductUpserted } from './catalog';
import type { Fact } from './order';

/** What the orders service does with each event it subscribes to: every answer goes to its order. */
export function handlers(env: Env): Handlers {
  const observe = (e: EventOf<Fact>) =>
    env.ORDER_DO.getByName(e.data.orderId).handle(
      {
        type: 'Observe',
        fact: e.type,
        ...('trackingNumber' in e.data && e.data.trackingNumber ? { trackingNumber: e.data.trackingNumber } : {}),
      },
      e,
    );
  const facts: Fact[] = [
    'inventory.reserved',
    'inventory.rejected',
    'inventory.committed',
    'inventory.released',
    'payment.authorized',
    'payment.declined',
    'payment.captured',
    'payment.voided',
    'payment.refunded',
    'shipment.created',
    'shipment.cancelled',
    'shipment.cancel_refused',
    'shipment.dispatched',
    'shipment.delivered',
    'shipment.exception',
  ];
  return {
    ...Object.fromEntries(facts.map((fact) => [fact, observe])),
    'product.upserted': (e) => applyProductUpserted(env.DB, e.data),
  };
}
