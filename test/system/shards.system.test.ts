import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTopology, type Topology } from '../../scripts/local.ts';
import { freePort } from '../../scripts/processes.ts';
import { CONFIRMED_SAGA } from '../../shared/confirmed-saga';
import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import type { MetricsReport } from '../../shared/metrics-api';
import { eventually, orderBody, requestAt, tokenFor } from './client';

// Its own topology with the bus in two shards, as `BUS_SHARDS=2 npm start` runs it: the configs
// generated from the committed ones (scripts/shards.ts), as `npm run deploy -- --bus-shards 2`
// deploys them.

const persistTo = mkdtempSync(join(tmpdir(), 'conveyor-shards-'));
let topology: Topology | undefined;
afterAll(async () => {
  await topology?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe('the bus in two shards', () => {
  it('carries every order to confirmation over both shards, each with its own router, and replays both', async () => {
    topology = await startTopology({ port: await freePort(), persistTo, quiet: true, busShards: 2 });
    const base = topology.url;
    const admin = inject('adminKey');
    const started = new Date().toISOString();
    // A hot SKU split into 3 buckets and a plain one: both behave alike whatever shard an order's events take.
    const hot = `SHARD-HOT-${crypto.randomUUID().slice(0, 6)}`;
    const plain = `SHARD-${crypto.randomUUID().slice(0, 6)}`;
    for (const [sku, buckets] of [
      [hot, 3],
      [plain, 1],
    ] as const) {
      const created = await requestAt(base, 'PUT', `/v1/admin/products/${sku}`, admin, {
        name: sku,
        priceCents: 500,
        currency: 'EUR',
        stock: 50,
        buckets,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }

    const body = {
      ...orderBody(hot, 1),
      items: [
        { sku: hot, quantity: 1 },
        { sku: plain, quantity: 2 },
      ],
    };
    const shoppers = await Promise.all(Array.from({ length: 24 }, (_, i) => tokenFor(`cust_shard_${i}_${hot}`)));
    // The first order waits for the orders service's catalog replica to hear of the new SKUs.
    const first = await eventually(async () => {
      const probe = await requestAt<OrderSnapshot>(base, 'POST', '/v1/orders', shoppers[0]!, body);
      expect(probe.status, JSON.stringify(probe.body)).toBe(202);
      return probe.body;
    });
    const rest = await Promise.all(shoppers.slice(1).map((as) => requestAt<OrderSnapshot>(base, 'POST', '/v1/orders', as, body)));
    expect(rest.map((r) => r.status)).toEqual(rest.map(() => 202));
    const ids = [first.id, ...rest.map((r) => r.body.id)];
    await Promise.all(
      ids.map((id, i) =>
        eventually(async () => {
          const { body: order } = await requestAt<OrderSnapshot>(base, 'GET', `/v1/orders/${id}`, shoppers[i]!);
          expect(order.status).toBe('confirmed');
        }, 60_000),
      ),
    );
    const product = async (sku: string) => (await requestAt<ProductSnapshot>(base, 'GET', `/v1/products/${sku}`, admin)).body;
    await eventually(async () => {
      expect(await product(hot)).toMatchObject({ stock: 26, available: 26 });
      expect(await product(plain)).toMatchObject({ stock: 2, available: 2 });
    });

    // Every event of an order names the order as its subject (the timeline is read by subject), so
    // all of them took the order's shard.
    await eventually(async () => {
      const { body: timeline } = await requestAt<{ events: { type: string }[] }>(
        base,
        'GET',
        `/v1/orders/${first.id}/timeline`,
        shoppers[0]!,
      );
      expect(new Set(timeline.events.map((e) => e.type))).toEqual(new Set(CONFIRMED_SAGA));
    });

    // Each shard's router delivered events of its own shard.
    const { body: metrics } = await requestAt<MetricsReport>(base, 'GET', '/v1/admin/metrics?window=15m', admin);
    const delivered = Object.fromEntries(metrics.queues.map((q) => [q.queue, q.delivered]));
    expect(delivered['conveyor-bus']).toBeGreaterThan(0);
    expect(delivered['conveyor-bus-1']).toBeGreaterThan(0);

    // Replay reads the archive of every shard: all 24 orders' order.placed, whichever shard carried them.
    const replayed = await requestAt<{ events: number; sent: Record<string, number> }>(base, 'POST', '/v1/admin/replay', admin, {
      from: started,
      to: new Date().toISOString(),
      types: ['order.placed'],
      subscribers: ['inventory'],
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ events: 24, sent: { inventory: 24 } });
    // Replayed, they hold nothing more.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await product(hot)).toMatchObject({ stock: 26, available: 26 });
  }, 240_000);
});
