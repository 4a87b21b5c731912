import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../shared/ids';
import { bearer, call, now, withVars } from './client';
import { fakeServices } from './fakes';

const key = () => `cvk_${crypto.randomUUID()}${crypto.randomUUID()}`;
const keys = { reader: key(), operator: key(), catalog: key(), webhooks: key(), aliceOld: key(), aliceNew: key() };
const entry = async (name: string, scopes: string, k: string) => `${name}:${scopes}:${await sha256(k)}`;
const ADMIN_KEYS = [
  await entry('rita', 'read', keys.reader),
  await entry('otto', 'read+operate', keys.operator),
  await entry('cato', 'catalog', keys.catalog),
  await entry('webb', 'webhooks', keys.webhooks),
  // Alice is rotating her key: both are valid until the old entry is removed.
  await entry('alice', 'read+operate', keys.aliceOld),
  await entry('alice', 'read+operate', keys.aliceNew),
].join(',\n');

const product = { name: 'Mug', priceCents: 1200, currency: 'EUR', stock: 5 };

describe('operators: scoped keys, hashed at rest', () => {
  it('lets each scope do its own work and nothing else, and audits every action', async () => {
    const { env, audit, writes } = fakeServices({ ADMIN_KEYS });
    const as = (k: string) => ({ env, headers: bearer(k) });

    expect((await call('GET', '/v1/admin/dead-letters', as(keys.reader))).status).toBe(200);
    const refused = await call('POST', '/v1/admin/dead-letters/dl_1/redrive', as(keys.reader));
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.error).toEqual({
      code: 'insufficient_scope',
      message: 'this operator key may not do dead-letter.redrive: that takes the "operate" scope, and the key has read',
      requestId: expect.any(String),
    });
    expect(writes()).toEqual([]);

    expect((await call('POST', '/v1/admin/dead-letters/dl_1/redrive', as(keys.operator))).status).toBe(202);
    expect((await call('PUT', '/v1/admin/products/MUG', { ...as(keys.operator), body: product })).status).toBe(403);
    expect((await call('PUT', '/v1/admin/products/MUG', { ...as(keys.catalog), body: product })).status).toBe(200);
    expect((await call('GET', '/v1/admin/dead-letters', as(keys.catalog))).status).toBe(403);
    const hook = { url: 'https://shop.example/hook', eventTypes: ['order.*'] };
    expect((await call('POST', '/v1/admin/webhooks', { ...as(keys.catalog), body: hook })).status).toBe(403);
    expect((await call('POST', '/v1/admin/webhooks', { ...as(keys.webhooks), body: hook })).status).toBe(201);
    expect(writes().map((c) => `${c.service}.${c.method}`)).toEqual([
      'router.redriveDeadLetter',
      'inventory.upsertProduct',
      'notifications.createWebhook',
    ]);

    expect(audit.map((e) => [e.actor, e.action, e.target, e.status, e.outcome])).toEqual([
      ['rita', 'dead-letter.list', null, 200, 'succeeded'],
      ['rita', 'dead-letter.redrive', 'dl_1', 403, 'refused'],
      ['otto', 'dead-letter.redrive', 'dl_1', 202, 'succeeded'],
      ['otto', 'product.upsert', 'MUG', 403, 'refused'],
      ['cato', 'product.upsert', 'MUG', 200, 'succeeded'],
      ['cato', 'dead-letter.list', null, 403, 'refused'],
      ['cato', 'webhook.create', null, 403, 'refused'],
      ['webb', 'webhook.create', null, 201, 'succeeded'],
    ]);
    expect(audit[0]).toMatchObject({
      keyId: (await sha256(keys.reader)).slice(0, 12),
      scope: 'read',
      method: 'GET',
      path: '/v1/admin/dead-letters',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestId: expect.any(String),
    });
  });

  it('serves the audit log to a read key, newest first, filtered by operator', async () => {
    const { env } = fakeServices({ ADMIN_KEYS });
    await call('POST', '/v1/admin/replay', {
      env,
      headers: bearer(keys.operator),
      body: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' },
    });
    const log = await call('GET', '/v1/admin/audit?actor=otto', { env, headers: bearer(keys.reader) });
    expect(log.status, log.text).toBe(200);
    expect(log.body.items).toMatchObject([{ actor: 'otto', action: 'archive.replay', outcome: 'succeeded', status: 202 }]);
  });

  it('takes two keys of one operator at once, so a key is rotated without downtime', async () => {
    const both = fakeServices({ ADMIN_KEYS });
    for (const k of [keys.aliceOld, keys.aliceNew]) {
      expect((await call('GET', '/v1/admin/dead-letters', { env: both.env, headers: bearer(k) })).status).toBe(200);
    }
    expect(new Set(both.audit.map((e) => e.keyId)).size).toBe(2);
    // The rotation is done: the old entry is removed.
    const withoutOld = fakeServices({ ADMIN_KEYS: await entry('alice', 'read+operate', keys.aliceNew) });
    expect((await call('GET', '/v1/admin/dead-letters', { env: withoutOld.env, headers: bearer(keys.aliceOld) })).status).toBe(
      401,
    );
    expect((await call('GET', '/v1/admin/dead-letters', { env: withoutOld.env, headers: bearer(keys.aliceNew) })).status).toBe(
      200,
    );
  });

  it('takes the local ADMIN_API_KEY as an operator with every scope (AUTH_MODE=local)', async () => {
    const { env: local, audit } = fakeServices();
    expect(
      (await call('PUT', '/v1/admin/products/MUG', { env: local, headers: bearer(env.ADMIN_API_KEY), body: product })).status,
    ).toBe(200);
    expect(
      (await call('POST', '/v1/admin/dead-letters/dl_1/redrive', { env: local, headers: bearer(env.ADMIN_API_KEY) })).status,
    ).toBe(202);
    expect(audit.map((e) => e.actor)).toEqual(['local', 'local']);
  });

  it('refuses an unknown key, and does not write an audit entry for it', async () => {
    const { env, audit, calls } = fakeServices({ ADMIN_KEYS });
    const res = await call('POST', '/v1/admin/dead-letters/dl_1/redrive', { env, headers: bearer(key()) });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'invalid_admin_key', message: 'the operator key is not one this API knows' });
    expect(audit).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('refuses a customer token on an admin route, saying it takes an operator key', async () => {
    const { env: fake, calls } = fakeServices({ ADMIN_KEYS });
    const token = await sign({ sub: 'cust_1', exp: now() + 60 }, env.JWT_SECRET, 'HS256');
    const res = await call('PUT', '/v1/admin/products/MUG', { env: fake, headers: bearer(token), body: product });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('admin_key_required');
    expect(calls).toEqual([]);
  });

  it('refuses to serve with a malformed ADMIN_KEYS, and in production without any key', async () => {
    for (const ADMIN_KEYS of [
      'rita:read:not-a-hash',
      `rita:root:${'a'.repeat(64)}`,
      `a:read:${'a'.repeat(64)},b:read:${'a'.repeat(64)}`,
    ]) {
      expect((await call('GET', '/v1/products', { env: withVars({ ADMIN_KEYS }) })).body.error?.code).toBe('misconfigured');
    }
  });
});
