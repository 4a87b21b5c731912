import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { jwt } from 'hono/jwt';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from './context';

/**
 * Customers: `Authorization: Bearer <JWT>`, HS256 only (the algorithm is pinned, so a token
 * signed otherwise, or with `alg: none`, is refused), signed with `JWT_SECRET`; `sub` is the customer id.
 */
export function customerAuth(): MiddlewareHandler<AppEnv> {
  return async function customerAuth(c, next) {
    const verify = jwt({ secret: c.env.JWT_SECRET, alg: 'HS256' });
    await verify(c, async () => {
      const { sub } = c.get('jwtPayload');
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
        throw new HTTPException(401, { message: 'the token has no customer (sub)' });
      }
      c.set('customerId', sub);
      await next();
    });
  };
}

/** Operators: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({ verifyToken: (token, c) => timingSafeEqual(token, c.env.ADMIN_API_KEY) });
}
