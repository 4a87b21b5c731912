import type { Context, MiddlewareHandler } from 'hono';
import type { Scope } from '../../shared/audit';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';
import { verifyCustomerToken } from './identity';
import { localOperator, type Operator, operatorWithKey } from './operators';

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

/** A JWT: three base64url parts. Operator keys never look like one. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The operator a dashboard call acts as (see dashboard/index.ts), handed to the admin API in-process
 * under a symbol-keyed binding: no client can set it, since a request carries headers and a body.
 */
export const SESSION_OPERATOR = Symbol('dashboard operator');
export type WithSessionOperator = Env & { [SESSION_OPERATOR]?: Operator };

/**
 * Operators: `Authorization: Bearer <operator key>`, one of ADMIN_KEYS (kept as hashes), or in local
 * development ADMIN_API_KEY; or the signed-in operator of a dashboard session. Which scope a route
 * needs is checked by {@link requireScope}.
 */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const signedIn = (c.env as WithSessionOperator)[SESSION_OPERATOR];
    if (signedIn) {
      c.set('operator', signedIn);
      return next();
    }
    const key = bearerCredential(c);
    if (JWT.test(key)) {
      throw new AppError({
        code: 'admin_key_required',
        message: 'this is an operator route: it takes an operator key, not a customer token',
        status: 401,
      });
    }
    const operator = await operatorFor(c, key);
    if (!operator) {
      console.warn(
        JSON.stringify({ msg: 'unknown operator key', path: c.req.path, ip: c.req.header('cf-connecting-ip') ?? null }),
      );
      throw new AppError({ code: 'invalid_admin_key', message: 'the operator key is not one this API knows', status: 401 });
    }
    c.set('operator', operator);
    await next();
  };
}

/** Every operator: ADMIN_KEYS, and in local development the all-scope ADMIN_API_KEY operator. */
export async function knownOperators(c: Context<AppEnv>): Promise<Operator[]> {
  const { operators, localAdminKey } = c.get('config');
  return localAdminKey === undefined ? operators : [...operators, await localOperator(localAdminKey)];
}

/** The operator whose key `key` is (compared by hash, in constant time), if any. */
export const operatorFor = async (c: Context<AppEnv>, key: string) => operatorWithKey(key, await knownOperators(c));

/**
 * An admin route's guard: names the action for the audit log and refuses (403
 * `insufficient_scope`) an operator whose key lacks `scope`.
 *
 * @example
 * createRoute({ …, middleware: requireScope('operate', 'dead-letter.redrive') })
 */
export function requireScope(scope: Scope, action: string): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const target = c.req.param('id') ?? c.req.param('sku') ?? null;
    c.set('adminAction', { action, scope, target });
    const operator = c.get('operator');
    if (!operator.scopes.includes(scope)) {
      throw new AppError({
        code: 'insufficient_scope',
        message: `this operator key may not do ${action}: that takes the "${scope}" scope, and the key has ${operator.scopes.join(', ')}`,
        status: 403,
      });
    }
    await next();
  };
}

/**
 * The `security` and guard of an admin route: the operator's key needs `scope`; `action` names what
 * the route does in the audit log and in refusals.
 *
 * @example
 * createRoute({ method: 'post', path: '/v1/admin/replay', ...operatorRoute('operate', 'archive.replay'), … })
 */
export const operatorRoute = (scope: Scope, action: string) => ({
  security: [{ admin: [scope] }],
  middleware: [requireScope(scope, action)],
});
