import * as z from 'zod';
import { BusBindings, bindingCheck, busShards, MAX_BUS_SHARDS } from '../../shared/bus';
import { optional, secret } from '../../shared/config';

/**
 * What the router needs from its environment.
 *
 * Where metrics are read from: the local MetricsDO (`wrangler dev`), or Analytics Engine's SQL API
 * in production, with the account id and an API token allowed "Account Analytics: Read" (both
 * optional: without them the router routes as ever and GET /v1/admin/metrics answers
 * `503 metrics_unavailable`, saying what to set).
 *
 * How many shards the bus has, and a binding for each (it redrives a dead letter to the shard it
 * came from and reads every shard's backlog). Each shard is consumed by its own consumer of this
 * Worker: `npm run deploy -- --bus-shards N` generates them (scripts/shards.ts).
 */
export const RouterConfig = z
  .object({
    METRICS_STORE: z.enum(['local', 'analytics-engine']).default('local'),
    ANALYTICS_ACCOUNT_ID: optional(z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 hex digits of the Cloudflare account id')),
    ANALYTICS_API_TOKEN: optional(secret(20)),
    BUS_SHARDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(MAX_BUS_SHARDS),
  })
  .and(BusBindings)
  .and(
    bindingCheck((env, problem) => {
      const wanted = Number(env.BUS_SHARDS);
      const bound = busShards(env).length;
      if (Number.isInteger(wanted) && bound !== wanted)
        problem('BUS_SHARDS', `is ${wanted}, but ${bound} bus shard(s) are bound`);
    }),
  );
export type RouterConfig = z.infer<typeof RouterConfig>;
