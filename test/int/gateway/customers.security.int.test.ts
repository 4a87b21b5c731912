import { describe, expect, it } from 'vitest';
import { fail, ok } from '../../../shared/errors';
import { sha256 } from '../../../shared/ids';
import { bearer, call } from './client';
import { fakeServices } from './fakes';

const key = () => `cvk_${crypto.randomUUID()}${crypto.randomUUID()}`;
const keys = { reader: key(), operator: key(), privacy: key() };
/** The read model knows an order of the customer: they can be erased. */
const known = { query: { listOrders: () => ok({ items: [{ id: 'o1' }], nextCursor: null, freshness: {} }) } };
const ADMIN_KEYS = [
  `rita:read:${await sha256(keys.reader)}`,
  `otto:read+operate+catalog+webhooks:${await sha256(keys.operator)}`,
  `pia:privacy:${await sha256(keys.privacy)}`,
].join(',');

describe('erasing a customer (DELETE /v1/admin/customers/{id})', () => {
  it('takes the privacy scope, which no other scope implies; a refusal reaches no service and is audited', async () => {
    const { env, writes, audit } = fakeServices({ ADMIN_KEYS });
    for (const k of [keys.reader, keys.operator]) {
      const refused = await call('DELETE', '/v1/admin/customers/cust_42', { env, headers: bearer(k) });
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'insufficient_scope', message: expect.stringContaining('"privacy"') });
    }
    expect(writes()).toEqual([]);
    expect(audit.map((e) => [e.actor, e.action, e.target, e.outcome])).toEqual([
      ['rita', 'customer.erase', 'cust_42', 'refused'],
      ['otto', 'customer.erase', 'cust_42', 'refused'],
    ]);
  });

  it('reads the status of every order sealed for the customer, a hundred at a time, and lets the vault judge them', async () => {
    const sealed = Array.from({ length: 250 }, () => crypto.randomUUID());
    const { env, calls, audit } = fakeServices(
      { ADMIN_KEYS },
      {
        ...known,
        vault: {
          customerKeys: () => ok({ orders: sealed.map((orderId) => ({ orderId, sealedAt: '' })), erasedAt: null }),
          erase: (customerId: string) => ok({ customerId, erasedAt: '2026-11-29T10:00:00.000Z', orders: 250 }),
        },
      },
    );
    const erased = await call('DELETE', '/v1/admin/customers/cust_42', { env, headers: bearer(keys.privacy) });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toEqual({ customerId: 'cust_42', erasedAt: '2026-11-29T10:00:00.000Z', orders: 250 });
    const batches = calls.filter((c) => c.method === 'orderStatuses').map((c) => (c.args[0] as string[]).length);
    expect(batches).toEqual([100, 100, 50]);
    const [, statuses] = calls.find((c) => c.method === 'erase')!.args as [string, Record<string, string>];
    expect(Object.keys(statuses).sort()).toEqual([...sealed].sort());
    expect(audit.at(-1)).toMatchObject({ actor: 'pia', action: 'customer.erase', target: 'cust_42', outcome: 'succeeded' });
  });

  it('passes on the vault’s refusal while an order still needs its address', async () => {
    const message = 'customer cust_42 has 1 order(s) whose address is still needed: o1 (confirmed); erase them once …';
    const { env } = fakeServices(
      { ADMIN_KEYS },
      { ...known, vault: { erase: () => fail({ code: 'customer_has_open_orders', message, status: 409 }) } },
    );
    const refused = await call('DELETE', '/v1/admin/customers/cust_42', { env, headers: bearer(keys.privacy) });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'customer_has_open_orders', message });
  });

  it('answers 404 for a customer the read model knows no order of, before asking the vault', async () => {
    const { env, calls } = fakeServices({ ADMIN_KEYS });
    const unknown = await call('DELETE', '/v1/admin/customers/cust_nobody', { env, headers: bearer(keys.privacy) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('customer_not_found');
    expect(calls.filter((c) => c.service === 'vault' || c.service === 'orders')).toEqual([]);
  });
});
