import * as z from 'zod';
import { Email, MAX_BUCKETS, Product, ShippingAddress, Sku } from './events';
import { type Subscriber, subscribers } from './subscriptions';

/** Limits of one order; larger orders get a 400 with the limit in the message. */
export const MAX_LINES = 50;
export const MAX_QUANTITY = 1000;

export const PlaceOrderInput = z.object({
  items: z
    .array(z.object({ sku: Sku, quantity: z.int().min(1).max(MAX_QUANTITY) }))
    .min(1)
    .max(MAX_LINES),
  /** Where the customer's mail goes; without it, mail stays in the local sink. */
  email: Email.optional(),
  shippingAddress: ShippingAddress,
  payment: z.object({ token: z.string().min(1).max(200) }),
});
export type PlaceOrderInput = z.infer<typeof PlaceOrderInput>;

export const MAX_STOCK = 1_000_000;

/**
 * The body of `PUT /v1/admin/products/:sku`; `stock` sets what is on hand absolutely. `buckets`
 * splits a hot SKU's stock across that many Durable Objects (unchanged when left out; 1 when new).
 */
export const ProductInput = Product.omit({ sku: true }).extend({
  stock: z.int().min(0).max(MAX_STOCK),
  buckets: z.int().min(1).max(MAX_BUCKETS).optional(),
});
export type ProductInput = z.infer<typeof ProductInput>;

/** The body of `POST /v1/webhooks/carrier`, signed by the carrier. */
export const CarrierWebhook = z.object({
  id: z.string().min(1).max(200),
  orderId: z.uuid(),
  status: z.enum(['dispatched', 'delivered']),
  trackingNumber: z.string().min(1).max(100).optional(),
});
export type CarrierWebhook = z.infer<typeof CarrierWebhook>;

/** The body of `POST /v1/admin/replay`: a time range of the archive, optionally narrowed. */
export const ReplayInput = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    types: z
      .array(z.string().regex(/^(\*|[a-z]+\.(\*|[a-z_]+))$/, 'an event type or pattern'))
      .min(1)
      .optional(),
    subscribers: z
      .array(z.enum(subscribers as [Subscriber, ...Subscriber[]]))
      .min(1)
      .optional(),
  })
  .refine((r) => r.from <= r.to, { message: '`from` must not be after `to`', path: ['from'] });
export type ReplayInput = z.infer<typeof ReplayInput>;
