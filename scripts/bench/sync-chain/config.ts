import * as z from 'zod';
import { optional, requireConfig, secret } from '../../../shared/config';
import { KeyringSecret } from '../../../shared/sealed';
import { type SimulatedFaults, SimulatedFaultsVars, toFaults } from '../../../shared/simulated-faults';
import { HOPS, type HopName } from './services';

/**
 * What the chain needs from its environment. The faults are the services' own
 * (`shared/simulated-faults.ts`): every hop pays `SIMULATED_LATENCY_MS` per call, and the hop named
 * by `SIMULATED_OUTAGE_SERVICE` is down during `SIMULATED_OUTAGE`.
 */
export const SyncChainConfig = SimulatedFaultsVars.extend({
  JWT_SECRET: secret(32),
  ADMIN_API_KEY: secret(12),
  /** Seals the payment token for payments, as orders does (the same keyring as the product's, locally). */
  PAYMENT_TOKEN_KEYS: KeyringSecret,
  SIMULATED_OUTAGE_SERVICE: optional(z.enum(HOPS, { error: `must be one of ${HOPS.join(', ')}` })),
})
  .refine((c) => Boolean(c.SIMULATED_OUTAGE_SERVICE) === Boolean(c.SIMULATED_OUTAGE), {
    error: 'SIMULATED_OUTAGE_SERVICE and SIMULATED_OUTAGE are set together or not at all',
  })
  .transform((c) => {
    const faults = toFaults(c);
    return {
      jwtSecret: c.JWT_SECRET,
      adminKey: c.ADMIN_API_KEY,
      tokenKeys: c.PAYMENT_TOKEN_KEYS,
      faultsOf: (hop: HopName): SimulatedFaults => ({
        latencyMs: faults.latencyMs,
        down: hop === c.SIMULATED_OUTAGE_SERVICE ? faults.down : null,
      }),
    };
  });

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const syncChainConfig = (env: object) => requireConfig('sync-chain', SyncChainConfig, env);
