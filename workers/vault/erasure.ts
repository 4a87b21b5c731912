import type { OrderStatus } from '../../shared/events';

/** An order sealed with the customer's key, and when. */
export interface SealedOrder {
  orderId: string;
  sealedAt: number;
}

/** Why an order still needs its personal data: its status, or `placing` (sealed, not placed yet), or `unchecked`. */
export type StillNeeded = { orderId: string; status: 'pending' | 'confirmed' | 'placing' | 'unchecked' };

/**
 * The customer's orders whose personal data is still needed, so erasing them now would leave an
 * order the platform can no longer ship or write about: pending and confirmed orders (not yet
 * shipped or cancelled); orders its OrderDO does not know (`null`) sealed less than `graceMs` ago,
 * whose placement may still be under way; and orders sealed since `statuses` were read. Shipped,
 * delivered and cancelled orders need nothing more (the parcel has left, or never will). Pure.
 */
export function stillNeeded(
  sealed: readonly SealedOrder[],
  statuses: Readonly<Record<string, OrderStatus | null>>,
  now: number,
  graceMs: number,
): StillNeeded[] {
  return sealed.flatMap(({ orderId, sealedAt }): StillNeeded[] => {
    if (!Object.hasOwn(statuses, orderId)) return [{ orderId, status: 'unchecked' }];
    const status = statuses[orderId];
    if (status === 'pending' || status === 'confirmed') return [{ orderId, status }];
    if (status === null && now - sealedAt < graceMs) return [{ orderId, status: 'placing' }];
    return [];
  });
}

/** The refusal's message: which orders, and what to do. */
export function openOrdersMessage(customerId: string, open: readonly StillNeeded[]): string {
  const listed = open
    .slice(0, 10)
    .map((o) => `${o.orderId} (${o.status})`)
    .join(', ');
  const more = open.length > 10 ? ` and ${open.length - 10} more` : '';
  return (
    `customer ${customerId} has ${open.length} order(s) whose address is still needed: ${listed}${more}; ` +
    'erase them once every order is shipped, delivered or cancelled'
  );
}
