import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../../shared/events';
import type { Sealed } from '../../../shared/sealed';
import type { KeyDO } from '../../../workers/vault/key-do';
import { address } from '../../helpers/fixtures';
import { expectError, expectOk } from '../../helpers/reply';

const vault = exports.VaultService;
const customer = () => `cust_${crypto.randomUUID().slice(0, 8)}`;
const personal = { shippingAddress: JSON.stringify(address), email: JSON.stringify('ada@example.com') };

async function sealed(customerId: string, orderId = crypto.randomUUID()) {
  return { orderId, values: expectOk(await vault.seal(customerId, orderId, personal)) };
}

/** Everything the customer's KeyDO keeps, as text: no key or clear value may be found in it after an erasure. */
async function storageOf(customerId: string) {
  return runInDurableObject(env.KEY_DO.getByName(customerId), (_: KeyDO, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((t) => t.name);
    return Object.fromEntries(tables.map((t) => [t, state.storage.sql.exec(`SELECT * FROM "${t}"`).toArray()]));
  });
}

const settled = (orderIds: string[], status: OrderStatus | null = 'delivered') =>
  Object.fromEntries(orderIds.map((id) => [id, status]));

describe('the vault: sealing and opening with the customer’s key', () => {
  it('seals personal data so that nothing of it shows, and opens it for the same order', async () => {
    const id = customer();
    const { orderId, values } = await sealed(id);
    expect(JSON.stringify(values)).not.toMatch(/Ada|Main St|Berlin|example\.com/);
    expect(expectOk(await vault.open(id, orderId, values))).toEqual({
      shippingAddress: { json: JSON.stringify(address) },
      email: { json: JSON.stringify('ada@example.com') },
    });
  });

  it('keeps one key per customer for all their orders, and never a clear value in its storage', async () => {
    const id = customer();
    const first = await sealed(id);
    const second = await sealed(id);
    expect(first.values.shippingAddress!.kid).toBe(second.values.shippingAddress!.kid);
    const stored = await storageOf(id);
    expect(stored.keys).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toMatch(/Ada|Main St|example\.com/);
  });

  it('does not open a value moved to another order or another customer', async () => {
    const id = customer();
    const { values } = await sealed(id);
    expect(expectOk(await vault.open(id, crypto.randomUUID(), values))).toEqual({
      shippingAddress: { gone: 'unreadable' },
      email: { gone: 'unreadable' },
    });
    const other = customer();
    await sealed(other);
    expect(expectOk(await vault.open(other, crypto.randomUUID(), values)).shippingAddress).toEqual({ gone: 'unreadable' });
  });

  it('refuses what is not a sealed value or a valid order id, saying which argument', async () => {
    const id = customer();
    expectError(await vault.seal(id, 'not-an-order', personal), 'invalid_request');
    expectError(await vault.open(id, crypto.randomUUID(), { shippingAddress: { v: 1 } as Sealed }), 'invalid_request');
    expect(expectError(await vault.seal(id, crypto.randomUUID(), { shippingAddress: '{' }), 'invalid_request').message).toMatch(
      /JSON text/,
    );
  });
});

describe('the vault: erasing a customer', () => {
  it('destroys the key: every copy of their data answers erased, and customer.erased is sent', async () => {
    const id = customer();
    const a = await sealed(id);
    const b = await sealed(id);
    const erasure = expectOk(await vault.erase(id, settled([a.orderId, b.orderId])));
    expect(erasure).toMatchObject({ customerId: id, orders: 2 });

    for (const { orderId, values } of [a, b]) {
      expect(expectOk(await vault.open(id, orderId, values))).toEqual({
        shippingAddress: { gone: 'erased' },
        email: { gone: 'erased' },
      });
    }
    const stored = await storageOf(id);
    expect(stored.keys).toEqual([]);
    expect(stored.sealed_orders).toEqual([]);
    const announced = (stored.outbox as { type: string; body: string; sent_at: number | null }[]).map((r) => ({
      type: r.type,
      sent: r.sent_at !== null,
      data: JSON.parse(r.body).data,
    }));
    expect(announced).toEqual([
      { type: 'customer.erased', sent: true, data: { customerId: id, erasedAt: erasure.erasedAt, orders: 2 } },
    ]);
  });

  it('answers the first erasure when asked again, and nothing is announced twice', async () => {
    const id = customer();
    const a = await sealed(id);
    const first = expectOk(await vault.erase(id, settled([a.orderId])));
    expect(expectOk(await vault.erase(id, {}))).toEqual(first);
    expect(expectOk(await vault.customerKeys(id))).toEqual({ orders: [], erasedAt: first.erasedAt });
    expect((await storageOf(id)).outbox).toHaveLength(1);
  });

  it.each([
    ['pending', 'pending'],
    ['confirmed', 'confirmed'],
  ] as const)('refuses while an order is %s, naming it, and keeps the key', async (_, status) => {
    const id = customer();
    const a = await sealed(id);
    const done = await sealed(id);
    const refusal = expectError(
      await vault.erase(id, { [a.orderId]: status, [done.orderId]: 'cancelled' }),
      'customer_has_open_orders',
    );
    expect(refusal).toMatchObject({ status: 409, message: expect.stringContaining(`${a.orderId} (${status})`) });
    expect(refusal.message).not.toContain(done.orderId);
    expect(expectOk(await vault.open(id, a.orderId, a.values)).shippingAddress).toEqual({ json: JSON.stringify(address) });
  });

  it('refuses while an order sealed moments ago is not placed yet, or was sealed after the statuses were read', async () => {
    const id = customer();
    const placing = await sealed(id);
    expect(expectError(await vault.erase(id, { [placing.orderId]: null }), 'customer_has_open_orders').message).toContain(
      `${placing.orderId} (placing)`,
    );
    const racing = await sealed(id);
    expect(expectError(await vault.erase(id, { [placing.orderId]: 'delivered' }), 'customer_has_open_orders').message).toContain(
      `${racing.orderId} (unchecked)`,
    );
  });

  it('erases past an order sealed long ago that was never placed (its placement failed)', async () => {
    const id = customer();
    const abandoned = await sealed(id);
    await runInDurableObject(env.KEY_DO.getByName(id), (_: KeyDO, state) => {
      state.storage.sql.exec('UPDATE sealed_orders SET sealed_at = sealed_at - 3600000');
    });
    expect(expectOk(await vault.erase(id, { [abandoned.orderId]: null }))).toMatchObject({ orders: 1 });
  });

  it('gives a customer who orders again after their erasure a new key; what was erased stays erased', async () => {
    const id = customer();
    const before = await sealed(id);
    expectOk(await vault.erase(id, settled([before.orderId], 'shipped')));
    const after = await sealed(id);
    expect(after.values.shippingAddress!.kid).not.toBe(before.values.shippingAddress!.kid);
    expect(expectOk(await vault.open(id, after.orderId, after.values)).email).toEqual({
      json: JSON.stringify('ada@example.com'),
    });
    expect(expectOk(await vault.open(id, before.orderId, before.values)).email).toEqual({ gone: 'erased' });
  });

  it('answers customer_not_found for a customer it never sealed anything for', async () => {
    expect(expectError(await vault.erase(customer(), {}), 'customer_not_found').status).toBe(404);
  });

  it('writes nothing for a customer it never sealed for, however often it is asked about them', async () => {
    const unknown = customer();
    expectError(await vault.erase(unknown, {}), 'customer_not_found');
    expect(expectOk(await vault.customerKeys(unknown))).toEqual({ orders: [], erasedAt: null });
    const { values } = await sealed(customer());
    expect(expectOk(await vault.open(unknown, crypto.randomUUID(), values)).shippingAddress).toEqual({ gone: 'unreadable' });
    expect(await storageOf(unknown)).toEqual({});
  });
});
