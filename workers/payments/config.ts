import * as z from 'zod';
import { BusBindings } from '../../shared/bus';
import { requireConfig } from '../../shared/config';
import { KeyringSecret } from '../../shared/sealed';

/** What payments needs from its environment, checked before it serves, consumes or calls a provider. */
export const PaymentsConfig = z
  .object({
    PAYMENT_PROVIDER: z.enum(['sandbox', 'http']),
    PAYMENT_API_URL: z.url(),
    PAYMENT_API_KEY: z.string().optional(),
    PAYMENT_GIVE_UP_SECONDS: z.coerce.number().positive(),
    PAYMENT_TIMEOUT_SECONDS: z.coerce.number().positive(),
    /** Opens the payment tokens orders sealed for payments (shared/personal-data.ts); the same keyring as orders'. */
    PAYMENT_TOKEN_KEYS: KeyringSecret,
  })
  .refine((c) => c.PAYMENT_PROVIDER !== 'http' || Boolean(c.PAYMENT_API_KEY), 'PAYMENT_API_KEY is required for the http provider')
  .and(BusBindings);
export type PaymentsConfig = z.output<typeof PaymentsConfig>;

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const paymentsConfig = (env: Env): PaymentsConfig => requireConfig('payments', PaymentsConfig, env);
