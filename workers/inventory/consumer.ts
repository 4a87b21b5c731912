import type { Handlers } from '../../shared/consume';
import type { DataOf, EventType, OrderEvent } from '../../shared/events';
import { publishAnswer } from '../../shared/publish';

/**
 * What inventory does with each order event. Every step is idempotent per order and SKU, and
 * answers through `publishAnswer`, so redoing a step after a crash publishes nothing new.
 */
export function handlers(env: Env): Handlers {
  const sku = (s: string) => env.INVENTORY_DO.getByName(s);
  const lines = (e: OrderEvent) => e.data.items.map(({ sku, quantity }) => ({ sku, quantity }));
  const answer = <T extends EventType>(cause: OrderEvent, type: T, data: DataOf<T>) =>
    publishAnswer(env.BUS, 'inventory', cause, type, data);

  return {
    'order.placed': async (e) => {
      const items = lines(e);
      const holds = await Promise.all(items.map((i) => sku(i.sku).reserve(e.data.id, i.quantity)));
      const short = items.filter((_, k) => holds[k] !== 'held').map((i) => i.sku);
      if (short.length === 0) return answer(e, 'inventory.reserved', { orderId: e.data.id, items });
      // All or nothing: give back whatever part of the order was held.
      await Promise.all(items.map((i) => sku(i.sku).release(e.data.id, i.quantity)));
      return answer(e, 'inventory.rejected', { orderId: e.data.id, items, reason: 'out_of_stock', skus: short });
    },
    'order.confirmed': async (e) => {
      const items = lines(e);
      await Promise.all(items.map((i) => sku(i.sku).commit(e.data.id, i.quantity)));
      return answer(e, 'inventory.committed', { orderId: e.data.id, items });
    },
    'order.cancelled': async (e) => {
      const items = lines(e);
      await Promise.all(items.map((i) => sku(i.sku).release(e.data.id, i.quantity)));
      return answer(e, 'inventory.released', { orderId: e.data.id, items });
    },
  };
}
