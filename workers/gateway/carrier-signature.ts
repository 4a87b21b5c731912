import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';

const refused = (message: string) => new AppError({ code: 'invalid_signature', message, status: 401 });

/** How far a signature's timestamp may be from now: 5 minutes, as Stripe does. */
export const TOLERANCE_SECONDS = 300;

/**
 * Verifies `Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` with
 * CARRIER_WEBHOOK_SECRET, within the tolerance. The HMAC is checked by `crypto.subtle.verify`,
 * which compares in constant time.
 */
export function carrierSignature(): MiddlewareHandler<AppEnv> {
  return async function carrierSignature(c, next) {
    const header = c.req.header('carrier-signature') ?? '';
    const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
    const t = Number(parts.t);
    if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) {
      throw refused('missing or malformed Carrier-Signature');
    }
    if (Math.abs(Date.now() / 1000 - t) > TOLERANCE_SECONDS) {
      throw refused('the signature timestamp is outside the 5-minute tolerance');
    }
    const body = await c.req.text();
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(c.get('config').carrierSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const signature = Uint8Array.from(parts.v1!.match(/../g)!, (h) => Number.parseInt(h, 16));
    if (!(await crypto.subtle.verify('HMAC', key, signature, new TextEncoder().encode(`${t}.${body}`)))) {
      throw refused('the signature does not match');
    }
    await next();
  };
}
