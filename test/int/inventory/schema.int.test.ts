import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../shared/schema';
import { HOLD_QUERIES, InventoryDO } from '../../../workers/inventory/inventory-do';
import { bothWays, shapeOf, versionsOf } from '../../helpers/schema';
import { newProduct } from './products';

const [outbox, inventory] = InventoryDO.schema;
/** Steps of the SKU's part that the deploy before the holds' rebuild had run. */
const STEPS_BEFORE = 11;

/** The rows the object wrote to its holds while `act` ran. */
async function holdRowsWritten(stub: DurableObjectStub<InventoryDO>, act: () => Promise<unknown>): Promise<number> {
  const before = await runInDurableObject(stub, (o) => o.rowsWritten.byTable().reservations ?? 0);
  await act();
  return (await runInDurableObject(stub, (o) => o.rowsWritten.byTable().reservations ?? 0)) - before;
}

describe('InventoryDO schema', () => {
  it("makes a new object's tables at once, as the steps since the first deploy arrive at them", async () => {
    await runInDurableObject(env.INVENTORY_DO.getByName(crypto.randomUUID()), (_i, state) => {
      const { made, replayed } = bothWays(state.storage, InventoryDO.schema);
      expect(made).toEqual(replayed);
    });
  });

  it('holds an order in 2 rows written and settles it in 2 (the key without a rowid, one partial index each)', async () => {
    const { stub } = await newProduct(10);
    const order = crypto.randomUUID();
    expect(await holdRowsWritten(stub, () => stub.reserve(order, 2, new Date().toISOString()))).toBe(2);
    expect(await holdRowsWritten(stub, () => stub.commit(order, 2))).toBe(2);
  });

  it('finds holds by time through the partial indexes, never by reading every hold the SKU had', async () => {
    const { stub } = await newProduct(10);
    await runInDurableObject(stub, (_i, state) => {
      const plan = (query: string) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...(query.includes('?') ? [0] : []))
          .toArray()
          .map((r) => r.detail)
          .join('; ');
      expect(plan(HOLD_QUERIES.due)).toMatch(/^SEARCH reservations USING COVERING INDEX reservations_by_expiry/);
      expect(plan(HOLD_QUERIES.nextExpiry)).toMatch(/^SEARCH reservations USING COVERING INDEX reservations_by_expiry/);
      expect(plan(HOLD_QUERIES.settledBefore)).toMatch(/^SEARCH reservations USING INDEX reservations_by_update/);
    });
  });

  it('rebuilds the holds of an object made by the previous deploy, keeping every hold and what it means', async () => {
    const { stub } = await newProduct(10);
    const [live, settled, expired] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await runInDurableObject(stub, (_i, state) => {
      const { sql } = state.storage;
      const product = sql.exec('SELECT * FROM product').one();
      for (const t of ['reservations', 'transfers', 'product', 'outbox']) sql.exec(`DROP TABLE ${t}`);
      sql.exec('DELETE FROM _schema_versions');
      migrate(state.storage, [outbox!, { ...inventory!, steps: inventory!.steps.slice(0, STEPS_BEFORE), tables: undefined }]);
      const columns = Object.keys(product);
      sql.exec(
        `INSERT INTO product (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        ...Object.values(product),
      );
      sql.exec('UPDATE product SET reserved = 2');
      const hold = 'INSERT INTO reservations (order_id, quantity, status, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)';
      sql.exec(hold, live, 1, 'held', new Date().toISOString(), Date.now() + 600_000);
      sql.exec(hold, settled, 1, 'committed', new Date().toISOString(), Date.now() - 1);
      sql.exec(hold, expired, 1, 'held', new Date().toISOString(), Date.now() - 1);
      expect(versionsOf(sql).inventory).toBe(STEPS_BEFORE);
    });
    await evictDurableObject(stub);

    // Each hold answers as before: a live one is held, a settled one stays settled, an expired one expires.
    expect(await stub.reserve(live, 1, new Date().toISOString())).toBe('held');
    expect(await stub.reserve(settled, 1, new Date().toISOString())).toBe('committed');
    await runInDurableObject(stub, (instance) => instance.alarm());
    expect(await stub.reserve(expired, 1, new Date().toISOString())).toBe('expired');
    expect(await stub.commit(live, 1)).toBe('committed');
    expect(await stub.read()).toMatchObject({ stock: 9, available: 9 });

    const made = await runInDurableObject(env.INVENTORY_DO.getByName(crypto.randomUUID()), (_i, state) =>
      shapeOf(state.storage.sql),
    );
    await runInDurableObject(stub, (_i, state) => {
      expect(versionsOf(state.storage.sql)).toEqual({ outbox: outbox!.steps.length, inventory: inventory!.steps.length });
      expect(shapeOf(state.storage.sql)).toEqual(made);
    });
  });
});
