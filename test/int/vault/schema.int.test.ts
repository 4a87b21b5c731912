import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { Outbox } from '../../../shared/outbox';
import { ERASURES, type KeyDO, VAULT } from '../../../workers/vault/key-do';
import { address } from '../../helpers/fixtures';
import { expectOk } from '../../helpers/reply';
import { bothWays, rebuildAs, shapeOf, userTables, versionsOf } from '../../helpers/schema';

const vault = exports.VaultService;
const customer = () => `cust_${crypto.randomUUID().slice(0, 8)}`;
const personal = { shippingAddress: JSON.stringify(address) };
const seal = async (customerId: string, orderId = crypto.randomUUID()) => ({
  orderId,
  values: expectOk(await vault.seal(customerId, orderId, personal)),
});
const delivered = (...orderIds: string[]) => Object.fromEntries(orderIds.map((id) => [id, 'delivered' as const]));

it("makes a new customer's key tables with their first order, and the erasure's tables only when they are erased", async () => {
  const id = customer();
  const { orderId } = await seal(id);
  const stub = env.KEY_DO.getByName(id);
  const firstOrder = await runInDurableObject(stub, (instance: KeyDO, state) => ({
    tables: userTables(state.storage.sql),
    rows: instance.rowsWritten.byTable(),
  }));
  expect(firstOrder.tables).toEqual(['_schema_versions', 'keys', 'sealed_orders']);
  // The schema record 3, the two tables 3 + 2, the key 2 (its row and its key's index), the order 1.
  expect(Object.values(firstOrder.rows).reduce((a, b) => a + b, 0)).toBe(11);
  expect(firstOrder.rows.sealed_orders).toBe(1);
  expectOk(await vault.erase(id, delivered(orderId)));
  const erased = await runInDurableObject(stub, (_i: KeyDO, state) => userTables(state.storage.sql));
  expect(erased).toEqual(['_schema_versions', 'erasures', 'keys', 'outbox', 'sealed_orders']);
  expect(expectOk(await vault.customerKeys(id))).toMatchObject({ erasedAt: expect.any(String) });
});

it('makes them as new under wrangler dev too, where miniflare has written a table of object names before the first seal', async () => {
  const id = customer();
  const stub = env.KEY_DO.getByName(id);
  await runInDurableObject(stub, (_i: KeyDO, state) => {
    state.storage.sql.exec('CREATE TABLE __miniflare_do_name (name TEXT)');
  });
  await seal(id);
  const rows = await runInDurableObject(stub, (instance: KeyDO) => instance.rowsWritten.byTable());
  expect(Object.keys(rows).sort()).toEqual(
    ['_schema_versions', '_schema_versions (schema)', 'keys', 'keys (schema)', 'sealed_orders', 'sealed_orders (schema)'].sort(),
  );
});

it('brings a KeyDO of the previous deploy up to date: its key still opens, its orders still count, and it erases', async () => {
  const id = customer();
  const first = await seal(id);
  const stub = env.KEY_DO.getByName(id);
  // The tables as the previous deploy made them (its first three steps, an outbox of its own shape), with their rows.
  await runInDurableObject(stub, (_i: KeyDO, state) => {
    const { sql } = state.storage;
    const keys = sql.exec('SELECT kid, material, created_at FROM keys').toArray();
    const orders = sql.exec('SELECT order_id, sealed_at FROM sealed_orders').toArray();
    rebuildAs(sql, [
      'CREATE TABLE keys (kid TEXT PRIMARY KEY, material BLOB NOT NULL, created_at INTEGER NOT NULL)',
      'CREATE TABLE sealed_orders (order_id TEXT PRIMARY KEY, sealed_at INTEGER NOT NULL)',
      'CREATE TABLE erasures (seq INTEGER PRIMARY KEY AUTOINCREMENT, erased_at INTEGER NOT NULL, kids TEXT NOT NULL, orders INTEGER NOT NULL)',
      'CREATE TABLE outbox (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID',
      'CREATE TABLE _schema_versions (id INTEGER PRIMARY KEY CHECK (id = 1), versions TEXT NOT NULL)',
      `INSERT INTO _schema_versions (id, versions) VALUES (1, '{"vault":3,"outbox":5}')`,
    ]);
    for (const k of keys)
      sql.exec('INSERT INTO keys (kid, material, created_at) VALUES (?, ?, ?)', k.kid, k.material, k.created_at);
    for (const o of orders) sql.exec('INSERT INTO sealed_orders (order_id, sealed_at) VALUES (?, ?)', o.order_id, o.sealed_at);
  });
  await evictDurableObject(stub);
  const second = await seal(id);
  expect(second.values.shippingAddress!.kid).toBe(first.values.shippingAddress!.kid);
  expect(expectOk(await vault.open(id, first.orderId, first.values))).toEqual({
    shippingAddress: { json: JSON.stringify(address) },
  });
  await runInDurableObject(stub, (_i: KeyDO, state) => {
    expect(versionsOf(state.storage.sql)).toEqual({ vault: 7, outbox: 5 });
    expect(shapeOf(state.storage.sql).sealed_orders).toEqual([
      'create table sealed_orders(order_id text primary key,sealed_at integer not null)without rowid',
    ]);
  });
  expect(expectOk(await vault.customerKeys(id))).toEqual({
    orders: expect.arrayContaining([first.orderId, second.orderId].map((orderId) => expect.objectContaining({ orderId }))),
    erasedAt: null,
  });
  const erasure = expectOk(await vault.erase(id, delivered(first.orderId, second.orderId)));
  expect(erasure.orders).toBe(2);
  expect(expectOk(await vault.open(id, first.orderId, first.values))).toEqual({ shippingAddress: { gone: 'erased' } });
});

it("arrives at the same tables by its steps as a new KeyDO by its tables, the erasure's included", async () => {
  await runInDurableObject(env.KEY_DO.getByName(customer()), (_i: KeyDO, state) => {
    const { made, replayed } = bothWays(state.storage, [VAULT, ERASURES, Outbox.schema]);
    expect(replayed).toEqual(made);
    expect(Object.keys(made).sort()).toEqual(['erasures', 'keys', 'outbox', 'sealed_orders']);
  });
});
