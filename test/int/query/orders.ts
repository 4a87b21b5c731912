import type { Event } from '../../../shared/events';
import { makeEvent } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';

/** The events of one order placed on `day` that then confirms or is cancelled. */
export function orderLife(customerId: string, day: string, sku: string, quantity: number, outcome: 'confirmed' | 'cancelled') {
  const placedAt = `${day}T10:00:00.000Z`;
  const { payment, ...order } = makeOrder({
    customerId,
    placedAt,
    updatedAt: placedAt,
    items: [{ sku, name: sku, quantity, unitPriceCents: 500 }],
    totalCents: quantity * 500,
  });
  const later = `${day}T10:00:01.000Z`;
  const settled =
    outcome === 'confirmed'
      ? makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4, updatedAt: later }, { occurredAt: later })
      : makeEvent(
          'order.cancelled',
          { ...order, status: 'cancelled', cancelReason: 'out_of_stock', version: 3, updatedAt: later },
          { occurredAt: later },
        );
  return [makeEvent('order.placed', { ...order, payment }, { occurredAt: placedAt }), settled] as Event[];
}
