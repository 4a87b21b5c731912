import * as z from 'zod';
import { BusBindings } from '../../shared/bus';
import { requireConfig } from '../../shared/config';

/** What the vault needs from its environment, checked before it seals, opens or erases anything. */
export const VaultConfig = z
  .object({
    PLACING_GRACE_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(3600),
  })
  .and(BusBindings)
  .transform((e) => ({ placingGraceMs: e.PLACING_GRACE_SECONDS * 1000 }));
export type VaultConfig = z.output<typeof VaultConfig>;

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const vaultConfig = (env: Env): VaultConfig => requireConfig('vault', VaultConfig, env);
