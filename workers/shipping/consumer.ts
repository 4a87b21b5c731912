import type { Handlers } from '../../shared/consume';

/** What shipping does with each order event; the ShipmentDO of the order makes each step idempotent. */
export function handlers(env: Env): Handlers {
  return {
    'order.confirmed': async (e) => void (await env.SHIPMENT_DO.getByName(e.data.id).create(e.data, e)),
  };
}
