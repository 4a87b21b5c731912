import * as z from 'zod';
import { optional, secret } from '../../shared/config';

/**
 * Where metrics are read from: the local MetricsDO (`wrangler dev`), or Analytics Engine's SQL API
 * in production, with the account id and an API token allowed "Account Analytics: Read" (both
 * optional: without them the router routes as ever and GET /v1/admin/metrics answers
 * `503 metrics_unavailable`, saying what to set).
 */
export const RouterConfig = z.object({
  METRICS_STORE: z.enum(['local', 'analytics-engine']).default('local'),
  ANALYTICS_ACCOUNT_ID: optional(z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 hex digits of the Cloudflare account id')),
  ANALYTICS_API_TOKEN: optional(secret(20)),
});
export type RouterConfig = z.infer<typeof RouterConfig>;
