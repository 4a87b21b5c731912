import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../context';

/** The operator's session: signed, HttpOnly, SameSite=Strict, Secure over HTTPS, for 30 minutes. */
export const SESSION_COOKIE = 'conveyor_session';
export const SESSION_SECONDS = 30 * 60;

export interface Session {
  /** Expiry, epoch seconds. */
  exp: number;
  /** The token state-changing calls echo in `X-CSRF-Token`. */
  csrf: string;
}

/**
 * The cookie's signing key: derived from the admin key, so rotating the key ends every session.
 * The key itself never reaches the browser after sign-in.
 */
async function signingKey(env: Env): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`conveyor-dashboard-session\n${env.ADMIN_API_KEY}`),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether `key` is the admin key (compared in constant time). Without one (production, where
 * operators hold scoped keys that the dashboard does not take yet) nobody signs in: fail closed.
 */
export const isAdminKey = async (env: Env, key: string) =>
  Boolean(env.ADMIN_API_KEY) && (await timingSafeEqual(key, env.ADMIN_API_KEY));

export async function startSession(c: Context<AppEnv>): Promise<Session> {
  const session: Session = { exp: Math.floor(Date.now() / 1000) + SESSION_SECONDS, csrf: crypto.randomUUID() };
  await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), await signingKey(c.env), {
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

/** The signed-in operator's session, or null (no cookie, a forged one, or expired). */
export async function currentSession(c: Context<AppEnv>): Promise<Session | null> {
  // A key derived from an empty admin key would be public: no session is ever valid without one.
  if (!c.env.ADMIN_API_KEY) return null;
  const raw = await getSignedCookie(c, await signingKey(c.env), SESSION_COOKIE);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    return typeof session.exp === 'number' && session.exp > Date.now() / 1000 && typeof session.csrf === 'string'
      ? session
      : null;
  } catch {
    return null;
  }
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
    const session = await currentSession(c);
    if (!session)
      return c.json({ error: { code: 'unauthorized', message: 'sign in again', requestId: c.get('requestId') } }, 401);
    const reads = c.req.method === 'GET' || c.req.method === 'HEAD';
    const token = c.req.header('x-csrf-token') ?? '';
    if (!reads && (!sameOrigin(c) || !(await timingSafeEqual(token, session.csrf)))) {
      return c.json({ error: { code: 'forbidden', message: 'missing or wrong CSRF token', requestId: c.get('requestId') } }, 403);
    }
    await next();
  };
}
