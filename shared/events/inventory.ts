import * as z from 'zod';
import { defineEvent } from './envelope';
import { Cents, Currency, Sku } from './order';

const Reservation = z.object({
  orderId: z.uuid(),
  items: z.array(z.object({ sku: Sku, quantity: z.int().positive() })).min(1),
});

export const InventoryReserved = defineEvent('inventory.reserved', Reservation);
export const InventoryRejected = defineEvent(
  'inventory.rejected',
  Reservation.extend({
    /** `order_cancelled`: the order was cancelled before its units could be held. */
    reason: z.enum(['out_of_stock', 'order_cancelled']),
    skus: z.array(Sku),
  }),
);
export const InventoryReleased = defineEvent('inventory.released', Reservation);
export const InventoryCommitted = defineEvent('inventory.committed', Reservation);

export const Product = z.object({
  sku: Sku,
  name: z.string().trim().min(1).max(200),
  priceCents: Cents,
  currency: Currency,
});
export type Product = z.infer<typeof Product>;

/** A product as the catalog shows it; `version` grows with every change of the SKU. */
export const ProductSnapshot = Product.extend({
  stock: z.int().nonnegative(),
  available: z.int().nonnegative(),
  version: z.int().positive(),
});
export type ProductSnapshot = z.infer<typeof ProductSnapshot>;

export const ProductUpserted = defineEvent('product.upserted', ProductSnapshot);

/** The most buckets a hot SKU's stock may be split into (see workers/inventory/buckets.ts). */
export const MAX_BUCKETS = 64;
