/**
 * The events a confirmed order's timeline holds once its saga is over (README, "Place an order"):
 * what the bench and the system tests wait for before they call an order done.
 */
export const CONFIRMED_SAGA = [
  'order.placed',
  'inventory.reserved',
  'payment.authorized',
  'order.confirmed',
  'payment.captured',
  'shipment.created',
  'inventory.committed',
  'notification.sent',
] as const;
