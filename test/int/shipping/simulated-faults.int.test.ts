import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VaultRpc } from '../../../shared/personal-data';
import worker from '../../../workers/shipping';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { sealedPersonal } from '../../helpers/sealing';

afterEach(() => {
  vi.restoreAllMocks();
});

const vault = env.VAULT as unknown as Service<VaultRpc>;

// The bench-only faults (shared/simulated-faults.ts) every consumer takes through failClosed;
// shipping stands in for all of them. Its orders' addresses are sealed by the real vault.
async function confirmedOrders(attempts: number[]) {
  const orders = await Promise.all(
    attempts.map(async () => {
      const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
      return { ...order, ...(await sealedPersonal(vault, order)) };
    }),
  );
  const batch = createMessageBatch(
    'conveyor-shipping-inbox',
    orders.map((order, k) => message(makeEvent('order.confirmed', order), { id: `m${k}`, attempts: attempts[k] })),
  );
  return { orders, batch };
}
const shipmentOf = (orderId: string) => env.SHIPMENT_DO.getByName(orderId).read();
/** Shipping's environment with the vars the bench would set. */
const withVars = (vars: Record<string, string>) => ({ ...env, ...vars });
/** An ISO 8601 interval from `fromMs` to `untilMs` from now. */
const interval = (fromMs: number, untilMs: number) =>
  `${new Date(Date.now() + fromMs).toISOString()}/${new Date(Date.now() + untilMs).toISOString()}`;

describe('simulated faults of a consumer (bench only)', () => {
  it('while down, fails every message (retried by its queue) and handles none', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { orders, batch } = await confirmedOrders([1, 3]);
    const ctx = createExecutionContext();
    await worker.queue(batch, withVars({ SIMULATED_OUTAGE: interval(-1000, 60_000) }), ctx);

    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m0', 'm1']);
    expect(await Promise.all(orders.map((o) => shipmentOf(o.id)))).toEqual([null, null]);
  });

  it.each([
    ['after the outage is over', interval(-60_000, -1)],
    ['before the outage starts', interval(60_000, 120_000)],
  ])('handles the messages %s', async (_, outage) => {
    const { orders, batch } = await confirmedOrders([4]);
    const ctx = createExecutionContext();
    await worker.queue(batch, withVars({ SIMULATED_OUTAGE: outage }), ctx);

    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['m0']);
    expect(await shipmentOf(orders[0]!.id)).toBe('created');
  });

  it('makes every batch wait the simulated latency before it is handled', async () => {
    const { orders, batch } = await confirmedOrders([1, 1]);
    const ctx = createExecutionContext();
    const started = Date.now();
    await worker.queue(batch, withVars({ SIMULATED_LATENCY_MS: '120' }), ctx);

    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['m0', 'm1']);
    expect(await Promise.all(orders.map((o) => shipmentOf(o.id)))).toEqual(['created', 'created']);
  });

  it.each([
    [{ SIMULATED_LATENCY_MS: 'fast' }, 'SIMULATED_LATENCY_MS must be a number of milliseconds'],
    [{ SIMULATED_LATENCY_MS: '-5' }, 'SIMULATED_LATENCY_MS must not be negative'],
    [{ SIMULATED_LATENCY_MS: '60000' }, 'SIMULATED_LATENCY_MS must be at most 10000 (10 s)'],
    [{ SIMULATED_OUTAGE: 'tomorrow' }, 'SIMULATED_OUTAGE must be an ISO 8601 interval <start>/<end>'],
  ])('refuses to serve with %j, and says why in one log line', async (faults, problem) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = withVars(faults);
    const ctx = createExecutionContext();
    expect((await worker.fetch(new Request('https://shipping.test/health'), broken, ctx)).status).toBe(503);
    const { orders, batch } = await confirmedOrders([1]);
    await worker.queue(batch, broken, ctx);

    expect((await getQueueResult(batch, ctx)).retryBatch.retry).toBe(true);
    expect(await shipmentOf(orders[0]!.id)).toBeNull();
    const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('shipping is misconfigured'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(problem);
  });
});
