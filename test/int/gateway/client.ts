import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import gateway from '../../../workers/gateway';
import { idp } from '../../helpers/identity-provider';

/** An answer of the gateway, its body parsed; `text` keeps the raw body for failure messages. */
export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a response body, asserted on field by field
  body: any;
  text: string;
}

/**
 * Calls the gateway with `env` (the test project's by default), as a client would over HTTPS.
 * A string body is sent as is, anything else as JSON.
 */
export async function call(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; env?: Env } = {},
): Promise<Answer> {
  const ctx = createExecutionContext();
  const body = options.body;
  const response = await gateway.fetch(
    new Request(`https://gw.test${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...options.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
    options.env ?? env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const now = () => Math.floor(Date.now() / 1000);

/** The variables of a production gateway, its identity provider the stub one. */
export const production = {
  AUTH_MODE: 'jwks',
  JWKS_URL: idp.jwksUrl,
  ISSUER: idp.issuer,
  AUDIENCE: idp.audience,
  JWT_SECRET: '',
  ADMIN_API_KEY: '',
  ADMIN_KEYS: `ops:read:${'0'.repeat(64)}`,
  CARRIER_WEBHOOK_SECRET: `carrier-${crypto.randomUUID()}`,
  CONSISTENCY_SECRET: `consistency-${crypto.randomUUID()}`,
} as const;

/** The gateway configured for production against the stub identity provider (one object, checked once). */
export const jwksEnv: Env = { ...env, ...production };

const keys = () => JSON.parse(env.TEST_IDENTITY_KEYS) as Record<'RS256' | 'ES256' | 'HS256', Record<string, string>>;

/**
 * A token from the stub identity provider, minted with jose: RS256 by default, valid for an hour,
 * for customer `cust_1`, with the provider's issuer and this API's audience. Override any claim
 * (`undefined` drops it) or the header.
 */
export async function idToken(
  claims: Partial<Record<keyof JWTPayload, unknown>> = {},
  options: { alg?: 'RS256' | 'ES256' | 'HS256'; kid?: string; key?: 'RS256' | 'ES256' | 'HS256' } = {},
) {
  const alg = options.alg ?? 'RS256';
  const jwk = keys()[options.key ?? alg];
  const payload = Object.fromEntries(
    Object.entries({ sub: 'cust_1', iss: idp.issuer, aud: idp.audience, iat: now(), exp: now() + 3600, ...claims }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg, typ: 'JWT', kid: options.kid ?? jwk.kid })
    .sign(await importJWK(jwk, alg));
}

/** The test environment with some variables changed; `undefined` unsets one. A new object, so it is checked afresh. */
export const withVars = (vars: Partial<Record<keyof Env, string | undefined>>): Env => ({ ...env, ...vars }) as Env;
