import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { timingSafeEqual } from 'hono/utils/buffer';
import { sha256 } from '../../../shared/ids';
import { knownOperators } from '../auth';
import type { AppEnv } from '../context';
import type { Operator } from '../operators';

/** The operator's session: signed, HttpOnly, SameSite=Strict, Secure over HTTPS, for 30 minutes. */
export const SESSION_COOKIE = 'conveyor_session';
export const SESSION_SECONDS = 30 * 60;

export interface Session {
  /** Expiry, epoch seconds. */
  exp: number;
  /** The token state-changing calls echo in `X-CSRF-Token`. */
  csrf: string;
  /** The SHA-256 of the operator's key: who signed in (the key itself never reaches the browser again). */
  key: string;
}

/**
 * The cookie's signing key: derived from the gateway's consistency secret, with a label of its
 * own so the two MACs never collide. Rotating that secret ends every session.
 */
async function signingKey(c: Context<AppEnv>): Promise<string> {
  return sha256(`conveyor-dashboard-session\n${c.get('config').consistencySecret}`);
}

export async function startSession(c: Context<AppEnv>, operator: Operator): Promise<Session> {
  const session: Session = {
    exp: Math.floor(Date.now() / 1000) + SESSION_SECONDS,
    csrf: crypto.randomUUID(),
    key: operator.keyHash,
  };
  await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), await signingKey(c), {
    path: '/',
    httpOnly: true,
    secure: new URL(c.req.url).protocol === 'https:',
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
  return session;
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * The signed-in operator and their session, or null: no cookie, a forged or expired one, or one
 * whose key has since been removed from ADMIN_KEYS (removing a key ends its sessions at once).
 */
export async function currentSession(c: Context<AppEnv>): Promise<{ session: Session; operator: Operator } | null> {
  const raw = await getSignedCookie(c, await signingKey(c), SESSION_COOKIE);
  if (!raw) return null;
  let session: Session;
  try {
    session = JSON.parse(raw) as Session;
  } catch {
    return null;
  }
  if (!(typeof session.exp === 'number' && session.exp > Date.now() / 1000 && typeof session.csrf === 'string')) return null;
  const operator = (await knownOperators(c)).find((o) => o.keyHash === session.key);
  return operator ? { session, operator } : null;
}

/**
 * Whether the request comes from this origin, when the browser says where it comes from:
 * `Sec-Fetch-Site` first (a page with `Referrer-Policy: no-referrer` posts `Origin: null`), then
 * `Origin`. A client that sends neither is no browser, and carries no ambient cookie to abuse.
 */
export function sameOrigin(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = c.req.header('origin');
  return !origin || origin === new URL(c.req.url).origin;
}

/**
 * Lets a dashboard API call through with a valid session; a call that changes something must
 * also carry the session's CSRF token in `X-CSRF-Token` and come from this origin.
 *
 * @example
 * app.use('/dashboard/api/*', requireSession());
 */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async function requireSession(c, next) {
    const signedIn = await currentSession(c);
    if (!signedIn)
      return c.json({ error: { code: 'unauthorized', message: 'sign in again', requestId: c.get('requestId') } }, 401);
    const { session, operator } = signedIn;
    c.set('operator', operator);
    const reads = c.req.method === 'GET' || c.req.method === 'HEAD';
    const token = c.req.header('x-csrf-token') ?? '';
    if (!reads && (!sameOrigin(c) || !(await timingSafeEqual(token, session.csrf)))) {
      return c.json({ error: { code: 'forbidden', message: 'missing or wrong CSRF token', requestId: c.get('requestId') } }, 403);
    }
    await next();
  };
}
