// `npm run bench`: latency of the order API and of the saga on the local topology.
// Bounded: a fixed number of orders, against 127.0.0.1 only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customerToken, devVars, startTopology } from './local.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const port = 8700 + Math.floor(Math.random() * 80);

const persistTo = mkdtempSync(join(tmpdir(), 'conveyor-bench-'));
const topology = await startTopology({ port, persistTo, quiet: true });
const admin = { authorization: `Bearer ${devVars().ADMIN_API_KEY}`, 'content-type': 'application/json' };
// A customer per order: one customer's writes are rate-limited (60 per 10 s), a shop's are not.
const auths = await Promise.all(
  Array.from({ length: ORDERS }, async (_, i) => ({
    authorization: `Bearer ${await customerToken(`cust_bench_${i}`)}`,
    'content-type': 'application/json',
  })),
);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const summary = (values: number[]) => ({
  n: values.length,
  p50: +percentile(values, 50).toFixed(1),
  p95: +percentile(values, 95).toFixed(1),
  p99: +percentile(values, 99).toFixed(1),
  max: +Math.max(...values).toFixed(1),
});

try {
  await fetch(`${topology.url}/v1/admin/products/BENCH`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ name: 'Bench item', priceCents: 100, currency: 'EUR', stock: 1_000_000 }),
  });
  const body = JSON.stringify({
    items: [{ sku: 'BENCH', quantity: 1 }],
    shippingAddress: { name: 'Bench', line1: '1 Loop', city: 'Berlin', postalCode: '10115', country: 'DE' },
    payment: { token: 'tok_visa' },
  });

  const place: number[] = [];
  const confirm: number[] = [];
  const read: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ORDERS) {
        const auth = auths[next]!;
        next += 1;
        const t0 = performance.now();
        const response = await fetch(`${topology.url}/v1/orders`, { method: 'POST', headers: auth, body });
        const { id } = (await response.json()) as { id: string };
        place.push(performance.now() - t0);
        for (;;) {
          const r0 = performance.now();
          const order = (await (await fetch(`${topology.url}/v1/orders/${id}`, { headers: auth })).json()) as { status: string };
          read.push(performance.now() - r0);
          if (order.status === 'confirmed') break;
          if (performance.now() - t0 > 30_000) throw new Error(`order ${id} not confirmed in 30 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
        confirm.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify(
      {
        orders: ORDERS,
        concurrency: CONCURRENCY,
        'POST /v1/orders ms': summary(place),
        'GET /v1/orders/:id ms': summary(read),
        'placed → confirmed ms': summary(confirm),
        'confirmed orders / s': +(ORDERS / seconds).toFixed(1),
      },
      null,
      2,
    ),
  );
} finally {
  await topology.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
