import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTopology, type Topology } from '../../scripts/local.ts';
import { freePort, portFree } from '../../scripts/processes.ts';
import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import type { OrderInspection } from '../../shared/responses';
import { eventually, orderBody, requestAt, tokenFor } from './client';

// Its own topology (`wrangler dev` with state on disk, as `npm start` runs it, with the configs'
// own clocks), killed with SIGKILL in the middle of 60 orders and started again on the same state:
// local queues live in memory, so every message in flight is lost. What heals it is each order's
// own deadline (issue 7, defect 6).

const persistTo = mkdtempSync(join(tmpdir(), 'conveyor-crash-'));
let topology: Topology | undefined;
afterAll(async () => {
  await topology?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe('the runtime killed mid-flight and started again', () => {
  it('ends every order; every confirmed one is captured, shipped-for and committed; every unit is accounted for', async () => {
    const port = await freePort();
    topology = await startTopology({ port, persistTo, quiet: true });
    const base = topology.url;
    const adminKey = inject('adminKey');
    const sku = `CRASH-${crypto.randomUUID().slice(0, 8)}`;
    const created = await requestAt(base, 'PUT', `/v1/admin/products/${sku}`, adminKey, {
      name: 'Crash test',
      priceCents: 500,
      currency: 'EUR',
      stock: 40,
    });
    expect(created.status).toBe(200);

    // 60 customers order one unit each; the catalog replica learns of the SKU first.
    const shoppers = await Promise.all(Array.from({ length: 60 }, (_, i) => tokenFor(`cust_crash_${i}_${sku}`)));
    const first = await eventually(async () => {
      const probe = await requestAt<OrderSnapshot>(base, 'POST', '/v1/orders', shoppers[0]!, orderBody(sku, 1));
      expect(probe.status).toBe(202);
      return probe.body;
    });
    const answers = await Promise.all(
      shoppers.slice(1).map((as) => requestAt<OrderSnapshot>(base, 'POST', '/v1/orders', as, orderBody(sku, 1))),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));

    // Kill everything at once, with work in every queue; then start again on the same state.
    process.kill(-topology.process.pid!, 'SIGKILL');
    await new Promise((r) => topology!.process.once('exit', r));
    // The runtime's own processes die a moment after; the port is free once they have.
    await eventually(async () => expect(await portFree(port)).toBe(true), 15_000);
    topology = await startTopology({ port, persistTo, quiet: true });

    const ids = [first.id, ...answers.map((a) => a.body.id)];
    const finals = await Promise.all(
      ids.map((id) =>
        eventually(async () => {
          const { body } = await requestAt<OrderInspection>(base, 'GET', `/v1/admin/orders/${id}`, adminKey);
          expect(['confirmed', 'cancelled']).toContain(body.status);
          // Every step another service owed the order has been answered: captured, shipped-for, committed (or given back).
          expect(body.awaiting).toEqual([]);
          return body;
        }, 150_000),
      ),
    );
    const confirmed = finals.filter((o) => o.status === 'confirmed').length;
    expect(confirmed).toBeLessThanOrEqual(40);
    const product = await eventually(async () => {
      const { body } = await requestAt<ProductSnapshot>(base, 'GET', `/v1/products/${sku}`, adminKey);
      expect(body).toMatchObject({ stock: 40 - confirmed, available: 40 - confirmed });
      return body;
    }, 30_000);
    expect(product.stock + confirmed).toBe(40);
  }, 300_000);
});
