import * as z from 'zod';

/** Shipping reads no settings yet; the empty schema is where the next one gets checked. */
export const ShippingConfig = z.object({});
