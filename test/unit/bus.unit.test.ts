import { describe, expect, it } from 'vitest';
import { BusBindings, bus, busBinding, busQueue, busShardOf, busShards, shardOfEvent } from '../../shared/bus';
import { isPacket, unpack } from '../../shared/packet';
import { publish } from '../../shared/publish';
import { shardOf } from '../../shared/shard';
import { makeEvent } from '../helpers/events';
import { makeOrder } from '../helpers/fixtures';

/** A queue that keeps what it is sent: one entry per message. */
function queue() {
  const messages: unknown[] = [];
  const q = {
    messages,
    async send(body: unknown) {
      messages.push(body);
    },
    async sendBatch(batch: Iterable<MessageSendRequest>) {
      for (const m of batch) messages.push(m.body);
    },
  };
  return q as typeof q & Queue;
}

const shards = (n: number) => Array.from({ length: n }, queue);
const envOf = (queues: Queue[]) => Object.fromEntries(queues.map((q, i) => [busBinding(i), q]));

/** The events of one order, as its publishers send them. */
function orderEvents() {
  const { payment, ...order } = makeOrder();
  return [
    makeEvent('order.placed', { ...order, payment }),
    makeEvent('payment.authorized', { orderId: order.id, paymentId: 'p', amountCents: 1, currency: 'EUR' }),
    makeEvent('inventory.reserved', { orderId: order.id, items: [{ sku: 'A', quantity: 1 }] }),
    makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4 }),
    makeEvent('shipment.created', { orderId: order.id, shipmentId: 's' }),
  ];
}

describe('the names of the bus shards', () => {
  it('keeps the unsharded bus as shard 0 and numbers the others', () => {
    expect([0, 1, 15].map(busQueue)).toEqual(['conveyor-bus', 'conveyor-bus-1', 'conveyor-bus-15']);
    expect([0, 1, 15].map(busBinding)).toEqual(['BUS', 'BUS_1', 'BUS_15']);
    expect([0, 1, 15].map((s) => busShardOf(busQueue(s)))).toEqual([0, 1, 15]);
    expect(['conveyor-bus-dlq', 'conveyor-bus-1-dlq', 'conveyor-orders-inbox', 'conveyor-bus-01'].map(busShardOf)).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('finds the shard bindings of an environment in order, stopping at the first missing one', () => {
    const [a, b, c] = shards(3);
    expect(busShards({ BUS: a, BUS_1: b, BUS_2: c, BUS_X: c })).toEqual([a, b, c]);
    expect(busShards({ BUS: a, BUS_2: c })).toEqual([a]);
  });
});

describe('publishing to a sharded bus', () => {
  it('sends every event of one order to one shard, the shard of the order', async () => {
    const queues = shards(4);
    const events = orderEvents();
    for (const e of events) await publish(bus(envOf(queues)), [e]);
    const shard = shardOf(events[0]!.subject, 4);
    expect(queues.map((q) => q.messages.length)).toEqual([0, 1, 2, 3].map((s) => (s === shard ? events.length : 0)));
  });

  it('splits a send of several orders’ events into one packet per shard it touches', async () => {
    const queues = shards(3);
    const events = Array.from({ length: 12 }, () => orderEvents()).flat();
    await publish(bus(envOf(queues)), events);
    for (const [s, q] of queues.entries()) {
      expect(q.messages.every(isPacket)).toBe(true);
      expect(q.messages.length).toBeLessThanOrEqual(1);
      const got = q.messages.flatMap(unpack) as { id: string }[];
      expect(got.map((e) => e.id)).toEqual(events.filter((e) => shardOfEvent(e, 3) === s).map((e) => e.id));
    }
    expect(queues.reduce((n, q) => n + q.messages.flatMap(unpack).length, 0)).toBe(events.length);
  });

  it('spreads orders evenly over the shards', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(crypto.randomUUID(), 16)]++;
    for (const n of counts) expect(n).toBeGreaterThan(850);
    for (const n of counts) expect(n).toBeLessThan(1150);
  });

  it('is the bus binding itself while the bus has one shard', () => {
    const [only] = shards(1);
    expect(bus({ BUS: only })).toBe(only);
  });
});

describe('a publisher’s bus bindings', () => {
  const problems = (env: object) => {
    const parsed = BusBindings.safeParse(env);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  };

  it('holds with the bus, and with every shard up to N', () => {
    expect(problems(envOf(shards(1)))).toEqual([]);
    expect(problems(envOf(shards(5)))).toEqual([]);
  });

  it('names a missing bus and a shard bound past a gap', () => {
    const [a, b] = shards(2);
    expect(problems({ BUS_1: b })).toEqual([
      'BUS is not bound: every publisher binds the bus',
      'BUS_1 is bound, but bus shard 0 (BUS) is not',
    ]);
    expect(problems({ BUS: a, BUS_2: b })).toEqual(['BUS_2 is bound, but bus shard 1 (BUS_1) is not']);
  });
});
