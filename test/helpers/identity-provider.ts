import { exportJWK, generateKeyPair, generateSecret, type JWK } from 'jose';

/** Where the stub identity provider lives, and what its tokens say. */
export const idp = {
  issuer: 'https://id.test/',
  audience: 'https://api.conveyor.test',
  jwksUrl: 'https://id.test/.well-known/jwks.json',
  /** A key set that tries to smuggle in a shared secret and a weak RSA key under the same kids. */
  hostileJwksUrl: 'https://id.test/hostile/jwks.json',
  /** A provider that is down. */
  downJwksUrl: 'https://id.test/down/jwks.json',
  /** How often the key set has been fetched (a plain number). */
  fetchCountUrl: 'https://id.test/fetches',
} as const;

/** The private keys tests sign with, by algorithm; their public halves are the provider's JWKS. */
export interface IdentityKeys {
  RS256: JWK;
  ES256: JWK;
}

/**
 * A stub identity provider for workerd: key pairs made by jose (another library than the one the
 * gateway verifies with), and an outbound fetch handler serving their public halves as a JWKS.
 * The private keys reach the tests as the `TEST_IDENTITY_KEYS` binding.
 */
export async function stubIdentityProvider() {
  const keys: IdentityKeys = {
    RS256: {
      ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)),
      kid: 'rsa-1',
      alg: 'RS256',
    },
    ES256: {
      ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)),
      kid: 'ec-1',
      alg: 'ES256',
    },
  };
  const publicHalf = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }: JWK) => ({ ...rest, use: 'sig' });
  const shared = await exportJWK(await generateSecret('HS256', { extractable: true }));
  let fetches = 0;
  const outbound = (request: Request): Response => {
    const { pathname } = new URL(request.url);
    if (pathname === '/.well-known/jwks.json') {
      fetches += 1;
      return Response.json({ keys: [publicHalf(keys.RS256), publicHalf(keys.ES256)] });
    }
    if (pathname === '/hostile/jwks.json') {
      // An `oct` key under the RSA key's kid (alg confusion) and a 512-bit RSA key.
      return Response.json({
        keys: [
          { ...shared, kid: 'rsa-1', alg: 'HS256' },
          { kty: 'RSA', kid: 'weak', n: 'AQAB'.repeat(20), e: 'AQAB' },
        ],
      });
    }
    if (pathname === '/fetches') return new Response(String(fetches));
    if (pathname === '/down/jwks.json') return new Response('down for maintenance', { status: 503 });
    return new Response('not here', { status: 404 });
  };
  return { keys, shared, outbound };
}
