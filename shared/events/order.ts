import * as z from 'zod';
import { Sealed } from '../sealed';
import { defineEvent } from './envelope';

export const Sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64');
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
export const Cents = z.int().nonnegative();

export const OrderStatus = z.enum(['pending', 'confirmed', 'shipped', 'delivered', 'cancelled']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const CancelReason = z.enum(['payment_declined', 'out_of_stock', 'timeout', 'customer_request']);
export type CancelReason = z.infer<typeof CancelReason>;

export const OrderLine = z.object({
  sku: Sku,
  name: z.string(),
  quantity: z.int().positive(),
  unitPriceCents: Cents,
});
export type OrderLine = z.infer<typeof OrderLine>;

export const ShippingAddress = z.object({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/** A customer's e-mail address, as checkouts validate it. */
export const Email = z.email().max(254);

/**
 * The order as its events carry it: every order.* event holds the whole order after the change.
 * Personal data is sealed with the customer's own key (shared/sealed.ts), which the vault holds and
 * erasing the customer destroys: what the bus, the archive and the inboxes carry of it is
 * ciphertext. Version 2 sealed it; an event of version 1 is upcast without it (never passed on in
 * clear), so these fields are absent there.
 */
export const OrderSnapshot = z.object({
  id: z.uuid(),
  customerId: z.string(),
  /** The customer's e-mail (an {@link Email}), sealed; absent when the checkout gave none. */
  email: Sealed.optional(),
  status: OrderStatus,
  items: z.array(OrderLine).min(1),
  totalCents: Cents,
  currency: Currency,
  /** The {@link ShippingAddress} (the customer's name and where they live), sealed. */
  shippingAddress: Sealed.optional(),
  cancelReason: CancelReason.optional(),
  trackingNumber: z.string().optional(),
  /** A customer cancel of a confirmed order: asked of shipping, which alone knows whether the goods left. */
  cancellation: z.enum(['requested', 'refused']).optional(),
  /** Set when an operator must look: a step overdue, or goods dispatched after the shipment was called off. */
  exception: z.enum(['overdue', 'dispatched_after_cancellation']).optional(),
  /** The order stream's version after the change; projections keep the highest. */
  version: z.int().positive(),
  placedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OrderSnapshot = z.infer<typeof OrderSnapshot>;

/** Version 2: the payment token sealed for payments alone (see shared/personal-data.ts), personal data sealed per customer. */
export const OrderPlaced = defineEvent(
  'order.placed',
  OrderSnapshot.extend({ payment: z.object({ token: Sealed }).optional() }),
  2,
);
export const OrderConfirmed = defineEvent('order.confirmed', OrderSnapshot, 2);
export const OrderCancelled = defineEvent('order.cancelled', OrderSnapshot.extend({ cancelReason: CancelReason }), 2);
/** The customer asked to cancel a confirmed order; shipping accepts (shipment.cancelled) or refuses. */
export const OrderCancellationRequested = defineEvent('order.cancellation_requested', OrderSnapshot, 2);
/** An operator must look at the order (see `exception`); `steps` names what is overdue. */
export const OrderFlagged = defineEvent(
  'order.flagged',
  OrderSnapshot.extend({ exception: OrderSnapshot.shape.exception.unwrap(), steps: z.array(z.string()) }),
  2,
);
export const OrderShipped = defineEvent('order.shipped', OrderSnapshot, 2);
export const OrderDelivered = defineEvent('order.delivered', OrderSnapshot, 2);
