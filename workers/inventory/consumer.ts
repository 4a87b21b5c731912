import type { Handlers } from '../../shared/consume';
import type { DataOf, EventType, OrderEvent } from '../../shared/events';
import { factId } from '../../shared/ids';
import { newEvent, publish } from '../../shared/publish';
import { commitOutcome, mergeLines, releaseOutcome, reservationOutcome } from './stock';
import { Stockroom } from './stockroom';

/**
 * What inventory does with each order event, across the SKUs of the order. Every step is
 * idempotent per order and SKU (the InventoryDO of each SKU, or of the bucket of a hot SKU where
 * the line is held, answers where the order's hold stands), and each answer states a fact with an
 * id derived from it, so redoing a step after a crash, a replay or a late redrive announces the
 * same fact again, never a new one.
 */
export function handlers(env: Env): Handlers {
  const stock = new Stockroom(env);
  const lines = (e: OrderEvent) => mergeLines(e.data.items);
  const answer = <T extends EventType>(cause: OrderEvent, type: T, data: DataOf<T>) =>
    publish(env.BUS, [
      newEvent(type, data, { source: 'inventory', subject: cause.subject, cause, id: factId(`${cause.data.id}/${type}`) }),
    ]);

  return {
    'order.placed': async (e) => {
      const items = lines(e);
      await stock.splits(items.map((i) => i.sku));
      const holds = await Promise.all(items.map((i) => stock.reserve(e.data.id, i, e.data.placedAt)));
      const outcome = reservationOutcome(
        items,
        holds.map((h) => h.status),
      );
      if (!outcome) return; // too old to hold again: the order ended long ago
      if (outcome.answer === 'inventory.reserved') return answer(e, outcome.answer, { orderId: e.data.id, items });
      // All or nothing: give back the lines held for this order (never a sale).
      await Promise.all(holds.filter((h) => h.status === 'held').map((h) => stock.undo(e.data.id, h)));
      return answer(e, outcome.answer, { orderId: e.data.id, items, reason: 'out_of_stock', skus: outcome.short });
    },
    'order.confirmed': async (e) => {
      const items = lines(e);
      await stock.splits(items.map((i) => i.sku));
      const holds = await Promise.all(items.map((i) => stock.commit(e.data.id, i)));
      const outcome = commitOutcome(holds.map((h) => h.status));
      if (!outcome) {
        // The order's deadline asks again; it is flagged for an operator if the units never come.
        console.error(JSON.stringify({ msg: 'confirmed order could not be committed', orderId: e.data.id, holds }));
        return;
      }
      return answer(e, outcome, { orderId: e.data.id, items });
    },
    'order.cancelled': async (e) => {
      const items = lines(e);
      await stock.splits(items.map((i) => i.sku));
      const holds = await Promise.all(items.map((i) => stock.release(e.data.id, i)));
      const outcome = releaseOutcome(
        items,
        holds.map((h) => h.status),
      );
      if (outcome.answer === 'inventory.released') return answer(e, outcome.answer, { orderId: e.data.id, items: outcome.items });
      return answer(e, outcome.answer, { orderId: e.data.id, items, reason: outcome.reason, skus: outcome.skus });
    },
  };
}
