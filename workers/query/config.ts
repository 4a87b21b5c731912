import * as z from 'zod';
import { requireConfig } from '../../shared/config';

/** What the read side needs from its environment, checked before it serves or consumes anything. */
export const QueryConfig = z
  .object({
    // A wait holds a request open and polls D1: bounded, so a read can never be made to cost much.
    CONSISTENCY_WAIT_MS: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10_000),
  })
  .transform((e) => ({ maxWaitMs: e.CONSISTENCY_WAIT_MS }));

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const queryConfig = (env: Env) => requireConfig('query', QueryConfig, env);
