import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';
import { errorResponse } from './errors';

/**
 * Answers 429 (with `Retry-After`) once `key(c)` has used up its share of the Workers Rate
 * Limiting binding `limiter`; the limit and period are set on the binding in wrangler.toml.
 *
 * @example
 * app.post('/v1/orders', rateLimit((env) => env.ORDER_WRITES, (c) => c.get('customerId'), 10))
 */
export function rateLimit(
  limiter: (env: Env) => RateLimit,
  key: (c: Context<AppEnv>) => string,
  periodSeconds: number,
): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const { success } = await limiter(c.env).limit({ key: key(c) });
    if (!success) {
      c.header('Retry-After', String(periodSeconds));
      return errorResponse(c, 429, 'rate_limited', `too many requests; try again in ${periodSeconds} s`);
    }
    await next();
  };
}

/**
 * Who a request is, for rate limits: the customer (token subject) once authenticated, otherwise the
 * client's IP as Cloudflare saw it.
 */
export function clientKey(c: Context<AppEnv>): string {
  const customerId = c.get('customerId');
  return customerId ? `customer:${customerId}` : `ip:${c.req.header('cf-connecting-ip') ?? 'unknown'}`;
}
