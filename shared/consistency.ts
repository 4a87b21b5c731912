import * as z from 'zod';
import { AppError } from './errors';

/** A write a customer wants to read back: their order at (at least) a version. */
export interface Write {
  orderId: string;
  version: number;
}

const Claim = z.object({ o: z.uuid(), v: z.int().positive(), s: z.string().min(1).max(128) });

/** Signed messages start with this, so a consistency token's MAC can never stand for anything else. */
const PURPOSE = 'conveyor consistency token v1\n';

const encoder = new TextEncoder();
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
const fromBase64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

/**
 * The token POST /v1/orders answers: names the order, the version written and the customer who
 * wrote it, signed (HMAC-SHA256) so that nobody can make one, and only that customer can use it.
 */
export async function signConsistencyToken(secret: string, write: Write, subject: string): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify({ o: write.orderId, v: write.version, s: subject })));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(PURPOSE + payload));
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

const invalid = () =>
  new AppError({ code: 'invalid_consistency_token', message: 'the consistency token is not one this API returned', status: 400 });

/**
 * The write a consistency token names, once its signature holds and it was made for `subject`;
 * 400 `invalid_consistency_token` for anything else, 403 `consistency_token_not_yours` for another
 * customer's token.
 */
export async function readConsistencyToken(secret: string, token: string, subject: string): Promise<Write> {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined || token.length > 500) throw invalid();
  let claim: z.infer<typeof Claim>;
  try {
    const signed = await crypto.subtle.verify(
      'HMAC',
      await hmacKey(secret, 'verify'),
      fromBase64url(mac),
      encoder.encode(PURPOSE + payload),
    );
    if (!signed) throw invalid();
    claim = Claim.parse(JSON.parse(new TextDecoder().decode(fromBase64url(payload))));
  } catch {
    throw invalid();
  }
  if (claim.s !== subject) {
    throw new AppError({
      code: 'consistency_token_not_yours',
      message: 'the consistency token was issued to another customer',
      status: 403,
    });
  }
  return { orderId: claim.o, version: claim.v };
}
