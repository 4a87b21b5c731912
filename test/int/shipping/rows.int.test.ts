import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { VaultRpc } from '../../../shared/personal-data';
import type { ShipmentDO } from '../../../workers/shipping/shipment-do';
import { makeEvent } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { sealedPersonal } from '../../helpers/sealing';

describe('rows a shipment writes in its Durable Object, as SQLite counts them', () => {
  it('creates a shipment in 13 rows: its tables, its record, its row, 1 event staged and sent, 1 alarm set', async () => {
    const { payment: _, ...clear } = makeOrder({ status: 'confirmed', version: 4 });
    // Its address sealed by the real vault, as order.confirmed carries it: shipping opens it to create the shipment.
    const order = { ...clear, ...(await sealedPersonal(env.VAULT as unknown as Service<VaultRpc>, clear)) };
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.create(order, makeEvent('order.confirmed', order));
    const written = await runInDurableObject(stub, (instance: ShipmentDO) => instance.rowsWritten.byTable());
    expect(written).toEqual({
      '(alarm)': 1,
      _schema_versions: 1,
      '_schema_versions (schema)': 2,
      'carrier_webhooks (schema)': 2,
      outbox: 2,
      'outbox (schema)': 2,
      shipment: 1,
      'shipment (schema)': 2,
    });
  });
});
