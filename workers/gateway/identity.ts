import { decodeHeader, verify } from 'hono/utils/jwt/jwt';
import type { JWTPayload } from 'hono/utils/jwt/types';
import * as z from 'zod';
import { AppError } from '../../shared/errors';
import type { Identity } from './config';
import { signingKey } from './jwks';

/** What a verified customer token says: who the customer is. */
export interface Customer {
  customerId: string;
}

const refused = (code: 'invalid_token' | 'token_expired' | 'invalid_token_claims', message: string) =>
  new AppError({ code, message, status: 401 });

/** Said of every token we cannot verify; how it failed is not the caller's business. */
const invalidToken = () => refused('invalid_token', 'the bearer token is not a valid token signed for this API');

const Claims = z.object({
  sub: z.string().min(1).max(128).optional(),
  exp: z.number().finite().optional(),
  nbf: z.number().finite().optional(),
  iat: z.number().finite().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});

/**
 * Verifies a customer's bearer token and answers who it names. Production (`jwks`): RS256 or ES256,
 * signed by a key from the identity provider's JWKS (by `kid`). Development (`local`): HS256 with
 * JWT_SECRET. The signature is checked first; only then are the claims read, so what a refusal says
 * about `exp`, `iss` or `aud` is only ever said about a genuine token. `exp` is required; `nbf` and
 * `iat` are honoured; every time is allowed the configured clock skew and no more.
 */
export async function verifyCustomerToken(token: string, identity: Identity, now = Date.now()): Promise<Customer> {
  const payload = await verifiedPayload(token, identity);
  const parsed = Claims.safeParse(payload);
  if (!parsed.success) throw refused('invalid_token_claims', 'the token has claims of the wrong type');
  const claims = parsed.data;
  const at = now / 1000;
  const skew = identity.skewSeconds;

  if (claims.exp === undefined) throw refused('invalid_token_claims', 'the token has no expiry (exp)');
  if (claims.exp + skew <= at) throw refused('token_expired', 'the token has expired; get a new one');
  if (claims.nbf !== undefined && claims.nbf - skew > at)
    throw refused('invalid_token_claims', 'the token is not valid yet (nbf)');
  if (claims.iat !== undefined && claims.iat - skew > at)
    throw refused('invalid_token_claims', 'the token was issued in the future (iat)');
  if (identity.issuer !== undefined && claims.iss !== identity.issuer) {
    throw refused('invalid_token_claims', 'the token was not issued by the identity provider this API trusts (iss)');
  }
  if (identity.audience !== undefined && ![claims.aud ?? []].flat().includes(identity.audience)) {
    throw refused('invalid_token_claims', 'the token is not meant for this API (aud)');
  }
  if (!claims.sub) throw refused('invalid_token_claims', 'the token has no customer (sub)');
  return { customerId: claims.sub };
}

/** The payload of a token whose signature holds, by the only algorithms the mode allows. */
async function verifiedPayload(token: string, identity: Identity): Promise<JWTPayload> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeHeader(token);
  } catch {
    throw invalidToken();
  }
  // Times are checked by us, after the signature, with the clock skew allowed.
  const times = { exp: false, nbf: false, iat: false };
  if (identity.mode === 'local') {
    if (header.alg !== 'HS256') throw invalidToken();
    return verify(token, identity.secret, { alg: 'HS256', ...times }).catch(() => {
      throw invalidToken();
    });
  }
  if ((header.alg !== 'RS256' && header.alg !== 'ES256') || typeof header.kid !== 'string' || header.kid.length > 200) {
    throw invalidToken();
  }
  const key = await signingKey(identity.jwksUrl, header.kid);
  if (!key || key.alg !== header.alg) throw invalidToken();
  return verify(token, key, { alg: header.alg, ...times }).catch(() => {
    throw invalidToken();
  });
}
