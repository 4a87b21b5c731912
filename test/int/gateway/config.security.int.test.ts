import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, call, jwksEnv, production, withVars } from './client';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Calls a few routes of every kind with `env`; answers their statuses and the log lines written. */
async function serveWith(env: Env) {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  const answers = await Promise.all([
    call('GET', '/', { env }),
    call('GET', '/openapi.json', { env }),
    call('GET', '/v1/products', { env }),
    call('GET', '/v1/admin/dead-letters', { env, headers: bearer('undefined') }),
    call('POST', '/v1/webhooks/carrier', { env, body: {} }),
  ]);
  return { answers, log: logged.mock.calls.map((args) => String(args[0])) };
}

describe('the gateway fails closed', () => {
  it.each([
    ['AUTH_MODE is unset', { AUTH_MODE: undefined }, 'AUTH_MODE'],
    ['AUTH_MODE is something else', { AUTH_MODE: 'none' }, 'AUTH_MODE'],
    ['JWT_SECRET is missing (local)', { JWT_SECRET: undefined }, 'JWT_SECRET is not set'],
    ['JWT_SECRET is too short for HS256 (local)', { JWT_SECRET: 'short-secret' }, 'JWT_SECRET is too short'],
    ['JWT_SECRET is the string "undefined"', { JWT_SECRET: 'undefined' }, 'JWT_SECRET is a placeholder'],
    ['ADMIN_API_KEY is missing (local)', { ADMIN_API_KEY: undefined }, 'ADMIN_API_KEY is not set'],
    ['ADMIN_API_KEY is empty (local)', { ADMIN_API_KEY: '' }, 'ADMIN_API_KEY is empty'],
    ['ADMIN_API_KEY is weak (local)', { ADMIN_API_KEY: 'admin' }, 'ADMIN_API_KEY is too short'],
    ['CARRIER_WEBHOOK_SECRET is missing', { CARRIER_WEBHOOK_SECRET: undefined }, 'CARRIER_WEBHOOK_SECRET is not set'],
    [
      'CARRIER_WEBHOOK_SECRET has stray whitespace',
      { CARRIER_WEBHOOK_SECRET: 'a-carrier-secret-with-a-newline\n' },
      'whitespace',
    ],
    ['the clock skew is unbounded', { CLOCK_SKEW_SECONDS: '86400' }, 'CLOCK_SKEW_SECONDS'],
  ])('refuses every request with 503 misconfigured when %s, and logs why', async (_, vars, problem) => {
    const { answers, log } = await serveWith(withVars(vars));
    for (const res of answers) {
      expect(res.status, res.text).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'misconfigured', requestId: expect.any(String) });
      // The caller learns that the service is misconfigured, never what or which secret.
      expect(res.text).not.toContain(Object.keys(vars)[0]!);
    }
    expect(log.filter((line) => line.includes('gateway is misconfigured'))).toHaveLength(1);
    expect(log.join('\n')).toContain(problem);
  });

  it.each([
    ['JWKS_URL is missing', { JWKS_URL: '' }, 'JWKS_URL'],
    ['JWKS_URL is not https', { JWKS_URL: 'http://id.test/.well-known/jwks.json' }, 'JWKS_URL'],
    ['ISSUER is missing', { ISSUER: '' }, 'ISSUER'],
    ['AUDIENCE is missing', { AUDIENCE: undefined }, 'AUDIENCE'],
    [
      'a plain-text ADMIN_API_KEY is set',
      { ADMIN_API_KEY: 'an-operator-key-in-plain-text' },
      'ADMIN_API_KEY is for local development only',
    ],
    [
      'the carrier secret is the development one',
      { CARRIER_WEBHOOK_SECRET: 'local-carrier-secret-0123456789abcdef' },
      'development value',
    ],
    ['the carrier secret is short', { CARRIER_WEBHOOK_SECRET: 'sixteen-chars-ok' }, 'at least 32'],
  ])('in production (jwks), refuses to serve when %s', async (_, vars, problem) => {
    const { answers, log } = await serveWith(withVars({ ...production, ...vars }));
    for (const res of answers) expect(res.status, res.text).toBe(503);
    expect(log.join('\n')).toContain(problem);
  });

  it('never takes `Bearer undefined` for an operator, whatever is unset', async () => {
    for (const vars of [{ ADMIN_API_KEY: undefined }, { ADMIN_API_KEY: 'undefined' }, { ADMIN_API_KEY: '' }]) {
      const res = await call('GET', '/v1/admin/mail', { env: withVars(vars), headers: bearer('undefined') });
      expect(res.status, res.text).not.toBe(200);
      expect([401, 503]).toContain(res.status);
    }
  });

  it('serves once production identity is configured', async () => {
    const { answers, log } = await serveWith(withVars(production));
    expect(answers[1]!.status).toBe(200);
    expect(log.filter((line) => line.includes('misconfigured'))).toEqual([]);
    expect((await call('GET', '/openapi.json', { env: jwksEnv })).status).toBe(200);
  });
});
