import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';
import { verifyCustomerToken } from './identity';

/**
 * The credential of `Authorization: Bearer <credential>`, or a 401 `missing_credentials` that says
 * how to send one. (`Bearer undefined` is a credential like any other, and is refused as one.)
 */
export function bearerCredential(c: Context<AppEnv>): string {
  const match = /^Bearer +([\x21-\x7e]{1,4096}) *$/i.exec(c.req.header('authorization') ?? '');
  if (!match) {
    c.header('WWW-Authenticate', 'Bearer realm="conveyor"');
    throw new AppError({
      code: 'missing_credentials',
      message: 'this route needs credentials: send `Authorization: Bearer <token>`',
      status: 401,
    });
  }
  return match[1]!;
}

/**
 * Customers: `Authorization: Bearer <JWT>` from the identity provider (or, developing, signed with
 * the local secret); see {@link verifyCustomerToken}. `sub` is the customer id.
 */
export function customerAuth(): MiddlewareHandler<AppEnv> {
  return async function customerAuth(c, next) {
    const token = bearerCredential(c);
    try {
      const { customerId } = await verifyCustomerToken(token, c.get('config').identity);
      c.set('customerId', customerId);
    } catch (error) {
      if (error instanceof AppError && error.status === 401)
        c.header('WWW-Authenticate', 'Bearer realm="conveyor", error="invalid_token"');
      throw error;
    }
    await next();
  };
}

/** Operators: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: async (token, c) => {
      const key = c.get('config').localAdminKey;
      return key !== undefined && (await timingSafeEqual(token, key));
    },
  });
}
