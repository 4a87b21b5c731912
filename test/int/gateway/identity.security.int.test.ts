import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetKeys } from '../../../workers/gateway/jwks';
import { idp } from '../../helpers/identity-provider';
import { bearer, call, idToken, jwksEnv, now } from './client';

/** A customer route that answers without reaching a service once the caller is authenticated. */
const probe = (token: string, options: { env?: Env } = { env: jwksEnv }) =>
  call('GET', '/v1/orders/not-an-order-id', { headers: bearer(token), ...options });

const authenticated = (status: number) => status !== 401;

describe('production identity: tokens from the identity provider (JWKS)', () => {
  beforeEach(() => forgetKeys());

  it('accepts an RS256 token from the provider, made by another library', async () => {
    const res = await probe(await idToken());
    expect(res.status, res.text).toBe(404);
    expect(res.body.error.code).toBe('order_not_found');
  });

  it('accepts an ES256 token from the provider', async () => {
    const res = await probe(await idToken({}, { alg: 'ES256' }));
    expect(res.status, res.text).toBe(404);
  });

  it('accepts an audience list that includes this API', async () => {
    const res = await probe(await idToken({ aud: ['https://other.test', idp.audience] }));
    expect(authenticated(res.status), res.text).toBe(true);
  });

  it.each([
    ['expired beyond the allowed clock skew', { exp: now() - 61 }, 'token_expired', /expired/],
    ['without an expiry', { exp: undefined }, 'invalid_token_claims', /\bexp\b/],
    ['from another issuer', { iss: 'https://evil.test/' }, 'invalid_token_claims', /\biss\b/],
    ['without an issuer', { iss: undefined }, 'invalid_token_claims', /\biss\b/],
    ['for another audience', { aud: 'https://other.test' }, 'invalid_token_claims', /\baud\b/],
    ['without an audience', { aud: undefined }, 'invalid_token_claims', /\baud\b/],
    ['not valid yet', { nbf: now() + 120 }, 'invalid_token_claims', /\bnbf\b/],
    ['issued in the future', { iat: now() + 120 }, 'invalid_token_claims', /\biat\b/],
    ['without a customer', { sub: undefined }, 'invalid_token_claims', /\bsub\b/],
    ['with a customer id of the wrong type', { sub: 42 }, 'invalid_token_claims', /claims/],
  ])('refuses a token %s, saying which claim', async (_, claims, code, message) => {
    const res = await probe(await idToken(claims));
    expect(res.status, res.text).toBe(401);
    expect(res.body.error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('allows the configured clock skew and no more', async () => {
    expect((await probe(await idToken({ exp: now() - 30 }))).status).toBe(404);
    expect((await probe(await idToken({ nbf: now() + 30, iat: now() + 30 }))).status).toBe(404);
    expect((await probe(await idToken({ exp: now() - 90 }))).status).toBe(401);
  });

  it.each([
    ['signed with an unknown key id', () => idToken({}, { kid: 'rsa-2' })],
    ['without a key id', () => idToken({}, { kid: '' })],
    ['signed by another key under the provider key id', () => idToken({}, { alg: 'ES256', kid: 'rsa-1' })],
    [
      'declaring RS256 but signed with ES256',
      () => idToken({}, { alg: 'RS256', key: 'ES256', kid: 'ec-1' }).catch(() => 'x.y.z'),
    ],
    ['signed HS256 with the local JWT_SECRET', () => sign({ sub: 'cust_1', exp: now() + 60 }, env.JWT_SECRET, 'HS256')],
    [
      'with alg "none"',
      async () =>
        new SignJWT({ sub: 'cust_1', exp: now() + 60 })
          .setProtectedHeader({ alg: 'none' })
          .sign(new Uint8Array(32))
          .catch(() => unsigned()),
    ],
    ['that is garbage', async () => 'not.a.token'],
    ['that is the word undefined', async () => 'undefined'],
  ])('refuses a token %s as invalid_token, without saying more', async (_, make) => {
    const res = await probe(await make());
    expect(res.status, res.text).toBe(401);
    expect(res.body.error).toMatchObject({
      code: 'invalid_token',
      message: 'the bearer token is not a valid token signed for this API',
    });
  });

  it('never takes a shared secret or a weak key from a hostile key set', async () => {
    const hostile: Env = { ...jwksEnv, JWKS_URL: idp.hostileJwksUrl };
    const hs256 = await idToken({}, { alg: 'HS256', kid: 'rsa-1' });
    expect((await probe(hs256, { env: hostile })).body.error?.code).toBe('invalid_token');
    expect((await probe(await idToken({}, { kid: 'weak' }), { env: hostile })).body.error?.code).toBe('invalid_token');
  });

  it('fetches the key set once for many tokens, and a flood of unknown key ids does not fetch it again', async () => {
    const fetches = async () => Number(await (await fetch(idp.fetchCountUrl)).text());
    const before = await fetches();
    for (let i = 0; i < 5; i++) expect((await probe(await idToken())).status).toBe(404);
    for (let i = 0; i < 20; i++) expect((await probe(await idToken({}, { kid: `made-up-${i}` }))).status).toBe(401);
    expect((await fetches()) - before).toBe(1);
  });

  it('answers 503 identity_provider_unavailable while the provider is down and no keys are known', async () => {
    const down: Env = { ...jwksEnv, JWKS_URL: idp.downJwksUrl };
    const res = await probe(await idToken(), { env: down });
    expect(res.status, res.text).toBe(503);
    expect(res.body.error.code).toBe('identity_provider_unavailable');
  });
});

describe('development identity (AUTH_MODE=local)', () => {
  it('accepts HS256 tokens signed with the local secret, as npm run token makes them', async () => {
    const token = await sign({ sub: 'cust_1', iat: now(), exp: now() + 3600 }, env.JWT_SECRET, 'HS256');
    expect((await probe(token, {})).status).toBe(404);
  });

  it('refuses provider tokens: local mode takes HS256 only', async () => {
    expect((await probe(await idToken(), {})).body.error?.code).toBe('invalid_token');
  });

  it('still requires an expiry', async () => {
    const token = await sign({ sub: 'cust_1' }, env.JWT_SECRET, 'HS256');
    expect((await probe(token, {})).body.error).toMatchObject({
      code: 'invalid_token_claims',
      message: expect.stringMatching(/exp/),
    });
  });

  it('checks issuer and audience when they are configured', async () => {
    const strict: Env = { ...env, ISSUER: 'conveyor-local', AUDIENCE: 'conveyor' };
    const without = await sign({ sub: 'cust_1', exp: now() + 60 }, env.JWT_SECRET, 'HS256');
    const withBoth = await sign(
      { sub: 'cust_1', exp: now() + 60, iss: 'conveyor-local', aud: 'conveyor' },
      env.JWT_SECRET,
      'HS256',
    );
    expect((await probe(without, { env: strict })).status).toBe(401);
    expect((await probe(withBoth, { env: strict })).status).toBe(404);
  });
});

function unsigned() {
  const part = (v: object) => btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'cust_1', exp: now() + 60 })}.`;
}
