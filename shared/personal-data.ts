import type { Event } from './events';

/** For the payments service alone: it authorises with it; nothing else may keep or pass it on. */
const PAYMENT_ONLY = ['payment'];
/** Personal data: the customer's name and where they live. */
const PERSONAL = ['shippingAddress'];

/**
 * The event as it may leave the payments path: never with the payment token, and with personal
 * data only for a recipient allowed to have it.
 *
 * @example
 * minimised(placed, { personalData: false }) // order.placed without `payment` and `shippingAddress`
 */
export function minimised(event: Event, recipient: { personalData: boolean }): Event {
  const dropped = recipient.personalData ? PAYMENT_ONLY : [...PAYMENT_ONLY, ...PERSONAL];
  const data = Object.fromEntries(Object.entries(event.data).filter(([key]) => !dropped.includes(key)));
  return { ...event, data } as Event;
}
