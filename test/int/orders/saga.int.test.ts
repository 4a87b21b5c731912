import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/errors';
import { EventStream } from '../../../workers/orders/event-stream';
import { makeCause, makePlaceOrder, traceparent } from '../../helpers/fixtures';
import { watchSends } from '../../helpers/queues';
import { expectError, expectOk } from '../../helpers/reply';

afterEach(() => vi.restoreAllMocks());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// vitest.config.ts gives the orders project SAGA_TIMEOUT_SECONDS=1 and SAGA_MAX_NUDGES=1.

async function placed() {
  const command = makePlaceOrder();
  const stub = env.ORDER_DO.getByName(command.data.id);
  await stub.place(command, traceparent);
  return stub;
}

describe('event stream', () => {
  it('lets one of two appends at the same expected version win and the other conflict', async () => {
    const stub = env.ORDER_DO.getByName(crypto.randomUUID());
    await runInDurableObject(stub, (_instance, state) => {
      const stream = new EventStream(state.storage);
      const at = new Date().toISOString();
      stream.append([{ type: 'StepDone', data: { at, step: 'stock', fact: 'inventory.reserved' } }], 0);
      expect(() => stream.append([{ type: 'StepDone', data: { at, step: 'payment', fact: 'payment.authorized' } }], 0)).toThrow(
        AppError,
      );
      expect(() => stream.append([{ type: 'StepDone', data: { at, step: 'payment', fact: 'payment.authorized' } }], 0)).toThrow(
        /version_conflict|expected version 0/,
      );
      expect(stream.read().map((e) => e.type)).toEqual(['StepDone']);
    });
  });
});

describe('OrderDO across evictions', () => {
  it('continues the saga after the object is evicted between steps', async () => {
    const stub = await placed();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, makeCause());
    await evictDurableObject(stub);
    await stub.handle({ type: 'Observe', fact: 'payment.authorized' }, makeCause());
    expect(await stub.read()).toMatchObject({ status: 'confirmed', version: 4 });
  });

  it('still drops a duplicate after eviction', async () => {
    const stub = await placed();
    const cause = makeCause();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, cause);
    await evictDurableObject(stub);
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, cause);
    expect(await stub.read()).toMatchObject({ version: 2 });
  });
});

describe('saga timeout', () => {
  it('sends order.placed again with the same id when replies are overdue, then cancels with reason timeout', async () => {
    const bus = watchSends(env.BUS);
    const stub = await placed();
    const { id } = (await stub.read())!;
    // Other tests' orders time out too: only this order's events count.
    const sentPlaced = () => bus.events().filter((e) => e.type === 'order.placed' && e.subject === id);
    await vi.waitFor(() => expect(sentPlaced()).toHaveLength(1));
    const [first] = sentPlaced();
    // The object's own alarm drives this: no test hook. The first row was deleted once sent, so the nudge rebuilds it.
    await vi.waitFor(() => expect(sentPlaced().map((e) => e.id)).toEqual([first!.id, first!.id]), {
      timeout: 5_000,
      interval: 50,
    });
    await vi.waitFor(async () => expect(await stub.read()).toMatchObject({ status: 'cancelled', cancelReason: 'timeout' }), {
      timeout: 5_000,
      interval: 50,
    });
    const events = await runInDurableObject(stub, (_i, state) => new EventStream(state.storage).read().map((e) => e.type));
    expect(events).toEqual(['OrderPlaced', 'SagaNudged', 'OrderCancelled']);
  }, 15_000);

  it('does not time out an order whose replies arrived', async () => {
    const stub = await placed();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, makeCause());
    await stub.handle({ type: 'Observe', fact: 'payment.authorized' }, makeCause());
    await sleep(2_500);
    expect(await stub.read()).toMatchObject({ status: 'confirmed' });
  }, 10_000);
});

describe('customer cancel', () => {
  it('cancels until shipped, then answers 409', async () => {
    const stub = await placed();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, makeCause());
    await stub.handle({ type: 'Observe', fact: 'payment.authorized' }, makeCause());
    await stub.handle({ type: 'Observe', fact: 'shipment.dispatched' }, makeCause());
    expect(expectError(await stub.cancel(traceparent), 'not_cancellable').status).toBe(409);

    const other = await placed();
    expect(expectOk(await other.cancel(traceparent))).toMatchObject({ status: 'cancelled', cancelReason: 'customer_request' });
    expect(expectOk(await other.cancel(traceparent))).toMatchObject({ status: 'cancelled', version: 2 });
  });
});
