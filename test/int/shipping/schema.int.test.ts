import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { VaultRpc } from '../../../shared/personal-data';
import { ShipmentDO } from '../../../workers/shipping/shipment-do';
import { makeEvent } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { bothWays, rebuildAs, shapeOf, userTables, versionsOf } from '../../helpers/schema';
import { sealedPersonal } from '../../helpers/sealing';

const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;

/** A ShipmentDO as the deploy before this one made it: per-part record, webhooks and outbox rows with a rowid beside their key. */
const previousDeploy = [
  'CREATE TABLE _schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)',
  "INSERT INTO _schema (component, version) VALUES ('shipment', 5), ('outbox', 1)",
  `CREATE TABLE shipment (id INTEGER PRIMARY KEY CHECK (id = 1), shipment_id TEXT NOT NULL, order_id TEXT NOT NULL,
    status TEXT NOT NULL, address TEXT NOT NULL, tracking_number TEXT, updated_at TEXT NOT NULL)`,
  'CREATE TABLE carrier_webhooks (id TEXT PRIMARY KEY, received_at TEXT NOT NULL)',
  'ALTER TABLE shipment ADD COLUMN exception TEXT',
  'ALTER TABLE shipment ADD COLUMN exception_at INTEGER',
  'ALTER TABLE shipment ADD COLUMN exception_repeats INTEGER',
  `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    body TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
];

describe('ShipmentDO schema', () => {
  it("makes a new object's tables at once, as the steps since the first deploy arrive at them", async () => {
    await runInDurableObject(env.SHIPMENT_DO.getByName(crypto.randomUUID()), (_i, state) => {
      const { made, replayed } = bothWays(state.storage, ShipmentDO.schema);
      expect(made).toEqual(replayed);
    });
  });

  it('migrates a shipment made by the previous deploy: its state and the webhooks it has seen are kept', async () => {
    const { payment: _, ...clear } = makeOrder({ status: 'confirmed', version: 4 });
    // Its address sealed by the real vault, as order.confirmed carries it: shipping opens it to create the shipment.
    const order = { ...clear, ...(await sealedPersonal(env.VAULT as unknown as Service<VaultRpc>, clear)) };
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.create(order, makeEvent('order.confirmed', order));
    const dispatched = { id: `wh_${order.id}`, orderId: order.id, status: 'dispatched' as const, trackingNumber: 'TRK-1' };
    await stub.carrierUpdate(dispatched, traceparent);
    await runInDurableObject(stub, (_i, state) => {
      const { sql } = state.storage;
      const row = sql.exec('SELECT * FROM shipment').one();
      rebuildAs(sql, previousDeploy);
      sql.exec(
        `INSERT INTO shipment (id, shipment_id, order_id, status, address, tracking_number, updated_at)
         VALUES (1, ?, ?, ?, ?, ?, ?)`,
        row.shipment_id,
        row.order_id,
        row.status,
        row.address,
        row.tracking_number,
        row.updated_at,
      );
      sql.exec("INSERT INTO carrier_webhooks (id, received_at) VALUES (?, '2026-11-01T00:00:00.000Z')", dispatched.id);
    });
    await evictDurableObject(stub);

    expect(await stub.read()).toBe('dispatched');
    expect(await stub.carrierUpdate(dispatched, traceparent)).toEqual({
      ok: true,
      value: { duplicate: true, status: 'dispatched' },
    });
    const made = await runInDurableObject(env.SHIPMENT_DO.getByName(crypto.randomUUID()), (_i, state) =>
      shapeOf(state.storage.sql),
    );
    await runInDurableObject(stub, (_i, state) => {
      expect(userTables(state.storage.sql)).not.toContain('_schema');
      expect(versionsOf(state.storage.sql)).toEqual({ shipment: 9, outbox: 5 });
      expect(shapeOf(state.storage.sql)).toEqual(made);
    });
  });
});
