import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../shared/ids';
import { call } from './client';
import { fakeServices } from './fakes';

const origin = 'https://gw.test';
const fetchGw = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(`${origin}${path}`, { redirect: 'manual', ...init });

async function signIn(key = env.ADMIN_API_KEY, headers: Record<string, string> = {}) {
  return fetchGw('/dashboard/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...headers },
    body: new URLSearchParams({ key }).toString(),
  });
}

/** Signs in and answers the session cookie and the page's CSRF token. */
async function session() {
  const cookie = (await signIn()).headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetchGw('/', { headers: { cookie } })).text();
  const csrf = page.match(/name="csrf-token" content="([^"]+)"/)![1]!;
  return { cookie, csrf };
}

describe('dashboard sign-in', () => {
  it('shows the sign-in form, not the dashboard, without a session', async () => {
    const page = await (await fetchGw('/')).text();
    expect(page).toContain('<label for="key">Operator key</label>');
    expect(page).not.toContain('csrf-token');
  });

  it('refuses a wrong key with 401 and sets no cookie', async () => {
    const res = await signIn('not-the-key');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a sign-in posted from another origin', async () => {
    const res = await signIn(env.ADMIN_API_KEY, { origin: 'https://evil.test' });
    expect(res.status).toBe(401);
  });

  it('refuses a sign-in the browser says is cross-site, and takes one it says is same-origin even with Origin: null', async () => {
    expect((await signIn(env.ADMIN_API_KEY, { origin: origin, 'sec-fetch-site': 'cross-site' })).status).toBe(401);
    expect((await signIn(env.ADMIN_API_KEY, { origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(303);
  });

  it('exchanges the admin key for a short-lived signed cookie: HttpOnly, Secure over HTTPS, SameSite=Strict', async () => {
    const res = await signIn();
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^conveyor_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Max-Age=1800');
    expect(cookie).not.toContain(env.ADMIN_API_KEY);
  });

  it('serves the dashboard with a CSRF token and a strict content security policy to a signed-in operator', async () => {
    const { cookie } = await session();
    const res = await fetchGw('/', { headers: { cookie } });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<script src="/dashboard/app.js" defer></script>');
  });

  it('ignores a tampered cookie', async () => {
    const { cookie } = await session();
    const forged = cookie.replace(/"csrf":"[^"]+"/, '"csrf":"mine"').replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    const res = await fetchGw('/dashboard/api/metrics', { headers: { cookie: forged } });
    expect(res.status).toBe(401);
  });
});

describe('dashboard API', () => {
  it('answers 401 without a session', async () => {
    expect((await fetchGw('/dashboard/api/dead-letters')).status).toBe(401);
  });

  it('refuses a change without the CSRF token, or from another origin', async () => {
    const { cookie, csrf } = await session();
    const without = await fetchGw('/dashboard/api/dead-letters/dl_x/redrive', { method: 'POST', headers: { cookie } });
    expect(without.status).toBe(403);
    const elsewhere = await fetchGw('/dashboard/api/dead-letters/dl_x/redrive', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.test' },
    });
    expect(elsewhere.status).toBe(403);
  });

  it('passes a call with the session and its token on to the admin API', async () => {
    const { cookie, csrf } = await session();
    // The router is not reachable at this test level: the call got past auth to the service.
    const res = await fetchGw('/dashboard/api/dead-letters/dl_x/redrive', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect([401, 403]).not.toContain(res.status);
  });

  it('answers the admin API with its own validation', async () => {
    const { cookie } = await session();
    const res = await fetchGw('/dashboard/api/metrics?window=forever', { headers: { cookie } });
    expect(res.status).toBe(400);
  });
});

describe('dashboard sign-in with scoped operator keys (ADMIN_KEYS)', () => {
  const reader = `cvk_${crypto.randomUUID()}`;
  const operator = `cvk_${crypto.randomUUID()}`;

  async function gatewayWith(keys: string[][]) {
    const ADMIN_KEYS = (await Promise.all(keys.map(async ([name, scopes, k]) => `${name}:${scopes}:${await sha256(k!)}`))).join(
      ',',
    );
    return fakeServices({ ADMIN_KEYS });
  }
  const post = (env: Env, path: string, form: Record<string, string>, cookie?: string) =>
    call('POST', path, {
      env,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(form).toString(),
    });
  async function signedIn(env: Env, key: string) {
    const res = await post(env, '/dashboard/sign-in', { key });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const page = (await call('GET', '/', { env, headers: { cookie } })).text;
    return { cookie, page, csrf: page.match(/name="csrf-token" content="([^"]+)"/)![1]! };
  }

  it("signs in with an operator's own key and acts with that key's scopes, audited under their name", async () => {
    const services = await gatewayWith([
      ['rita', 'read', reader],
      ['otto', 'read+operate', operator],
    ]);
    const rita = await signedIn(services.env, reader);
    expect(rita.page).toContain('rita (read)');
    const headers = (session: { cookie: string; csrf: string }) => ({
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      origin,
    });

    expect((await call('GET', '/dashboard/api/dead-letters', { env: services.env, headers: headers(rita) })).status).toBe(200);
    const refused = await call('POST', '/dashboard/api/dead-letters/dl_1/redrive', { env: services.env, headers: headers(rita) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
    expect(services.writes()).toEqual([]);

    const otto = await signedIn(services.env, operator);
    const redriven = await call('POST', '/dashboard/api/dead-letters/dl_1/redrive', {
      env: services.env,
      headers: headers(otto),
    });
    expect(redriven.status, redriven.text).toBe(202);
    expect(services.writes().map((c) => c.method)).toEqual(['redriveDeadLetter']);
    expect(services.audit.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['rita', 'dead-letter.list', 'succeeded'],
      ['rita', 'dead-letter.redrive', 'refused'],
      ['otto', 'dead-letter.redrive', 'succeeded'],
    ]);
  });

  it("ends a session when its key is removed from ADMIN_KEYS, and refuses a removed key's sign-in", async () => {
    const before = await gatewayWith([['otto', 'read+operate', operator]]);
    const { cookie } = await signedIn(before.env, operator);
    const after = await gatewayWith([['rita', 'read', reader]]);
    expect((await call('GET', '/dashboard/api/dead-letters', { env: after.env, headers: { cookie } })).status).toBe(401);
    expect((await call('GET', '/', { env: after.env, headers: { cookie } })).text).toContain('Operator key');
    expect((await post(after.env, '/dashboard/sign-in', { key: operator })).status).toBe(401);
  });

  it('cannot be reached by a client claiming to be a session: the operator travels only in-process', async () => {
    const services = await gatewayWith([['otto', 'read+operate', operator]]);
    const res = await call('GET', '/v1/admin/dead-letters', { env: services.env, headers: { cookie: 'conveyor_session=x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_credentials');
  });
});

describe('dashboard copy', () => {
  it('states each retry schedule and the time to a dead letter', async () => {
    const { cookie } = await session();
    const page = await (await fetchGw('/', { headers: { cookie } })).text();
    expect(page).toContain(
      '6 attempts, retried after 1 s, 2 s, 4 s, 8 s, 16 s: a failing event is a dead letter 31 s after its first failure.',
    );
    expect(page).toContain(
      '9 attempts, retried after 1 s, 2 s, 4 s, 8 s, 16 s, 32 s, 64 s, 128 s: a failing delivery is a dead letter 4 min 15 s after its first failure',
    );
    expect(page).toContain(
      'A redriven webhook delivery gets 3 attempts, retried after 1 s, 2 s: if the receiver is still down it is back here 3 s later.',
    );
  });
});

describe('API reference', () => {
  it('serves Swagger UI from the gateway itself, no CDN', async () => {
    const page = await (await fetchGw('/docs')).text();
    expect(page).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await fetchGw('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });

  it('serves only the files the page needs from the package', async () => {
    expect((await fetchGw('/docs/assets/package.json')).status).toBe(404);
    expect((await fetchGw('/index.html')).status).toBe(404);
  });
});
