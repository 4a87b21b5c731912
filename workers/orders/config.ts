import * as z from 'zod';
import { BusBindings } from '../../shared/bus';
import { requireConfig } from '../../shared/config';
import { KeyringSecret } from '../../shared/sealed';

/** What the orders service needs from its environment, checked before it serves or consumes anything. */
export const OrdersConfig = z
  .object({
    SAGA_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(3600),
    SAGA_MAX_NUDGES: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10),
    /** Seals payment tokens for payments, the only other holder (shared/personal-data.ts). */
    PAYMENT_TOKEN_KEYS: KeyringSecret,
  })
  .and(BusBindings);
export type OrdersConfig = z.output<typeof OrdersConfig>;

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const ordersConfig = (env: Env): OrdersConfig => requireConfig('orders', OrdersConfig, env);
