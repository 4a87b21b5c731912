import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { OrderDO } from '../../../workers/orders/order-do';
import { CONFIRMING_FACTS, makeCause, makePlaceOrder, traceparent } from '../../helpers/fixtures';

const outboxEmpty = (stub: DurableObjectStub<OrderDO>) =>
  vi.waitFor(() =>
    runInDurableObject(stub, (_i, state) => expect(state.storage.sql.exec('SELECT id FROM outbox').toArray()).toEqual([])),
  );

describe('rows an order writes in its Durable Object, as SQLite counts them', () => {
  it('places and confirms an order in 27 rows: its tables, its record, 7 events, 5 answers heard, 2 events staged and sent, 2 alarms set (one per staging)', async () => {
    const command = makePlaceOrder();
    const stub = env.ORDER_DO.getByName(command.data.id);
    await stub.place(command, traceparent);
    for (const fact of CONFIRMING_FACTS) await stub.handle({ type: 'Observe', fact }, makeCause());
    expect(await stub.read()).toMatchObject({ status: 'confirmed' });
    await outboxEmpty(stub);
    const written = await runInDurableObject(stub, (instance: OrderDO) => instance.rowsWritten.byTable());
    expect(written).toEqual({
      // Each setAlarm() is billed as a row written: the resend armed by each transaction that stages events.
      '(alarm)': 2,
      _schema_versions: 1,
      '_schema_versions (schema)': 2,
      events: 7,
      'events (schema)': 2,
      inbox: 5,
      'inbox (schema)': 2,
      outbox: 4,
      'outbox (schema)': 2,
    });
  });

  it('adds 3 rows for an Idempotency-Key (its table, made by the first key without rewriting the schema record, and its row), and none for a repeated answer', async () => {
    const command = makePlaceOrder();
    const stub = env.ORDER_DO.getByName(command.data.id);
    await stub.place(command, traceparent, { fingerprint: 'f' });
    const heard = makeCause();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, heard);
    await outboxEmpty(stub);
    const before = await runInDurableObject(stub, (instance: OrderDO) => instance.rowsWritten.byTable());
    expect(before).toMatchObject({ _schema_versions: 1, idempotency: 1, 'idempotency (schema)': 2, events: 2, inbox: 1 });
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, heard);
    expect(await runInDurableObject(stub, (instance: OrderDO) => instance.rowsWritten.byTable())).toEqual(before);
  });
});
