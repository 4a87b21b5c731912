import * as z from 'zod';

/** What the orders service needs from its environment, checked before it serves or consumes anything. */
export const OrdersConfig = z.object({
  SAGA_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(3600),
  SAGA_MAX_NUDGES: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10),
});
