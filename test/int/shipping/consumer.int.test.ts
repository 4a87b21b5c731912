import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { VaultRpc } from '../../../shared/personal-data';
import worker from '../../../workers/shipping';
import { handlers } from '../../../workers/shipping/consumer';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { expectHandlesExactly } from '../../helpers/queues';
import { sealedPersonal } from '../../helpers/sealing';

const vault = env.VAULT as unknown as Service<VaultRpc>;

/** A confirmed order as its event carries it: the address sealed by the real vault with its customer's key. */
async function confirmedOrder(customerId = `cust_${crypto.randomUUID().slice(0, 8)}`) {
  const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4, customerId });
  return { ...order, ...(await sealedPersonal(vault, order)) };
}

async function deliver(...bodies: unknown[]) {
  const batch = createMessageBatch(
    'conveyor-shipping-inbox',
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('shipping inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('shipping', handlers(env));
  });

  it('creates one shipment per confirmed order, however often the event arrives', async () => {
    const order = await confirmedOrder();
    const confirmed = makeEvent('order.confirmed', order);
    const batch = createMessageBatch('conveyor-shipping-inbox', [
      message(confirmed, { id: 'a' }),
      message(confirmed, { id: 'b' }),
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['a', 'b']);
    expect(await env.SHIPMENT_DO.getByName(order.id).read()).toBe('created');
  });
});

describe('ShipmentDO and the carrier', () => {
  const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
  async function created() {
    const order = await confirmedOrder();
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.create(order, makeEvent('order.confirmed', order));
    return { order, stub };
  }

  it('moves created → dispatched → delivered and ignores a replayed webhook id', async () => {
    const { order, stub } = await created();
    const dispatched = { id: 'wh_1', orderId: order.id, status: 'dispatched' as const, trackingNumber: 'TRK-1' };
    expect(await stub.carrierUpdate(dispatched, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'dispatched' },
    });
    expect(await stub.carrierUpdate(dispatched, traceparent)).toEqual({
      ok: true,
      value: { duplicate: true, status: 'dispatched' },
    });
    const delivered = { id: 'wh_2', orderId: order.id, status: 'delivered' as const };
    expect(await stub.carrierUpdate(delivered, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'delivered' },
    });
  });

  it('refuses news for a shipment that does not exist', async () => {
    const orderId = crypto.randomUUID();
    const stub = env.SHIPMENT_DO.getByName(orderId);
    expect(await stub.carrierUpdate({ id: 'wh_x', orderId, status: 'dispatched' }, traceparent)).toMatchObject({
      ok: false,
      error: { code: 'shipment_not_found', status: 404 },
    });
  });

  it('records a dispatch after the shipment was called off as an exception, never as a shipment', async () => {
    const { order, stub } = await created();
    const request = makeEvent('order.cancellation_requested', { ...order, cancellation: 'requested' });
    expect(await stub.requestCancel(order.id, request)).toBe('cancelled');
    expect(await stub.carrierUpdate({ id: 'wh_y', orderId: order.id, status: 'dispatched' }, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'cancelled', exception: 'dispatched_after_cancellation' },
    });
  });

  it('refuses a cancellation once the parcel has left (issue 7, defect 2)', async () => {
    const { order, stub } = await created();
    await stub.carrierUpdate({ id: 'wh_z', orderId: order.id, status: 'dispatched' }, traceparent);
    const request = makeEvent('order.cancellation_requested', { ...order, cancellation: 'requested' });
    expect(await stub.requestCancel(order.id, request)).toBe('dispatched');
  });

  it('never creates a shipment whose cancellation came first', async () => {
    const { payment: _, ...order } = makeOrder();
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.requestCancel(order.id, makeEvent('order.cancellation_requested', { ...order, status: 'confirmed' }));
    expect(await stub.create(order, makeEvent('order.confirmed', { ...order, status: 'confirmed' }))).toBe('cancelled');
  });
});

describe('shipping and the sealed address', () => {
  it('keeps the address only sealed', async () => {
    const order = await confirmedOrder();
    await deliver(makeEvent('order.confirmed', order));
    const [row] = await runInDurableObject(env.SHIPMENT_DO.getByName(order.id), (_instance, state) =>
      state.storage.sql.exec<{ address: string }>('SELECT * FROM shipment').toArray(),
    );
    expect(JSON.parse(row!.address)).toEqual(order.shippingAddress);
    expect(JSON.stringify(row)).not.toMatch(/Ada|Main St|10115/);
  });

  it('creates no shipment for an address it cannot read (its customer erased), and says so in the log', async () => {
    const order = await confirmedOrder();
    const erased = await vault.erase(order.customerId, { [order.id]: 'cancelled' });
    expect(erased.ok).toBe(true);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await deliver(makeEvent('order.confirmed', order))).explicitAcks).toEqual(['m0']);
      expect(await env.SHIPMENT_DO.getByName(order.id).read()).toBeNull();
      expect(log.mock.calls.map((c) => String(c[0]))).toContainEqual(
        expect.stringContaining('"msg":"no shipment: the address cannot be read"'),
      );
    } finally {
      log.mockRestore();
    }
  });

  it('creates no shipment from an event that carries no address (version 1, upcast without its clear values)', async () => {
    const { shippingAddress: _, ...order } = await confirmedOrder();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await deliver(makeEvent('order.confirmed', order));
      expect(await env.SHIPMENT_DO.getByName(order.id).read()).toBeNull();
    } finally {
      log.mockRestore();
    }
  });

  it('answers a replayed order.confirmed for a shipment already made without opening the address again', async () => {
    const order = await confirmedOrder();
    await deliver(makeEvent('order.confirmed', order));
    await vault.erase(order.customerId, { [order.id]: 'shipped' });
    await deliver(makeEvent('order.confirmed', order));
    expect(await env.SHIPMENT_DO.getByName(order.id).read()).toBe('created');
  });
});
