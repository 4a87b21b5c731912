import type { Handlers } from '../../shared/consume';
import type { DataOf, EventType, OrderEvent } from '../../shared/events';
import { factId } from '../../shared/ids';
import { newEvent, publish } from '../../shared/publish';
import { commitOutcome, releaseOutcome, reservationOutcome } from './stock';

/**
 * What inventory does with each order event, across the SKUs of the order. Every step is
 * idempotent per order and SKU (the InventoryDO of each SKU answers where the order's hold
 * stands), and each answer states a fact with an id derived from it, so redoing a step after a
 * crash, a replay or a late redrive announces the same fact again, never a new one.
 */
export function handlers(env: Env): Handlers {
  const sku = (s: string) => env.INVENTORY_DO.getByName(s);
  const lines = (e: OrderEvent) => e.data.items.map(({ sku, quantity }) => ({ sku, quantity }));
  const answer = <T extends EventType>(cause: OrderEvent, type: T, data: DataOf<T>) =>
    publish(env.BUS, [
      newEvent(type, data, { source: 'inventory', subject: cause.subject, cause, id: factId(`${cause.data.id}/${type}`) }),
    ]);

  return {
    'order.placed': async (e) => {
      const items = lines(e);
      const holds = await Promise.all(items.map((i) => sku(i.sku).reserve(e.data.id, i.quantity, e.data.placedAt)));
      const outcome = reservationOutcome(items, holds);
      if (!outcome) return; // too old to hold again: the order ended long ago
      if (outcome.answer === 'inventory.reserved') return answer(e, outcome.answer, { orderId: e.data.id, items });
      // All or nothing: give back the lines held for this order (never a sale).
      await Promise.all(outcome.undo.map((i) => sku(i.sku).undo(e.data.id)));
      return answer(e, outcome.answer, { orderId: e.data.id, items, reason: 'out_of_stock', skus: outcome.short });
    },
    'order.confirmed': async (e) => {
      const items = lines(e);
      const holds = await Promise.all(items.map((i) => sku(i.sku).commit(e.data.id, i.quantity)));
      const outcome = commitOutcome(holds);
      if (!outcome) {
        // The order's deadline asks again; it is flagged for an operator if the units never come.
        console.error(JSON.stringify({ msg: 'confirmed order could not be committed', orderId: e.data.id, holds }));
        return;
      }
      return answer(e, outcome, { orderId: e.data.id, items });
    },
    'order.cancelled': async (e) => {
      const items = lines(e);
      const holds = await Promise.all(items.map((i) => sku(i.sku).release(e.data.id, i.quantity)));
      const outcome = releaseOutcome(items, holds);
      if (outcome.answer === 'inventory.released') return answer(e, outcome.answer, { orderId: e.data.id, items: outcome.items });
      return answer(e, outcome.answer, { orderId: e.data.id, items, reason: outcome.reason, skus: outcome.skus });
    },
  };
}
