// The CPU of each pure step of POST /v1/orders, timed in Node: Workers run the same code on V8, and
// in production a Worker's clock does not move while its code runs, so it cannot time them itself.

import { readdirSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { cpus } from 'node:os';

// shared/ imports without extensions, as the Workers' bundler allows; let Node find the .ts files.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.')) throw error;
      for (const suffix of ['.ts', '/index.ts']) {
        try {
          return next(specifier + suffix, context);
        } catch {}
      }
      throw error;
    }
  },
});

async function microseconds(step: () => unknown, n = 2000): Promise<number> {
  for (let i = 0; i < 200; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await step();
  return +(((performance.now() - t0) * 1000) / n).toFixed(1);
}

/** µs per call of each pure step, the mean of 2,000 calls after 200 to warm up. */
export async function cpuOfSteps(orderBody: string, secret: string): Promise<Record<string, number>> {
  const { sign, verify } = await import('hono/jwt');
  const { PlaceOrderInput } = await import('../../shared/api.ts');
  const { signConsistencyToken } = await import('../../shared/consistency.ts');
  const { Event } = await import('../../shared/events/index.ts');
  const { factId } = await import('../../shared/ids.ts');
  const { newEvent } = await import('../../shared/publish.ts');
  const { decide, evolve, initialOrder } = await import('../../workers/orders/order.ts');
  const { price } = await import('../../workers/orders/pricing.ts');
  const { importKey, seal } = await import('../../shared/sealed.ts');

  const token = await sign({ sub: 'cust_bench', exp: Math.floor(Date.now() / 1000) + 3600 }, secret, 'HS256');
  const input = PlaceOrderInput.parse(JSON.parse(orderBody));
  const catalog = new Map(input.items.map((l) => [l.sku, { name: 'Bench item', priceCents: 100, currency: 'EUR' }]));
  const id = crypto.randomUUID();
  const key = await importKey(crypto.getRandomValues(new Uint8Array(32)));
  const sealAddress = () =>
    seal(key, 'ck_bench', input.shippingAddress, { customerId: 'cust_bench', orderId: id, field: 'shippingAddress' });
  const sealedToken = await seal(key, 'pk_bench', 'tok_visa', { customerId: 'cust_bench', orderId: id, field: 'payment.token' });
  const command = {
    type: 'PlaceOrder' as const,
    data: {
      id,
      customerId: 'cust_bench',
      ...price(input.items, catalog),
      shippingAddress: await sealAddress(),
      paymentToken: sealedToken,
    },
  };
  const [placed] = decide(command, initialOrder, new Date());
  const order = evolve(initialOrder, placed!);
  if (order.status === 'empty') throw new Error('the order was not placed');
  const now = new Date().toISOString();
  const view = {
    ...command.data,
    status: 'pending' as const,
    version: 1,
    placedAt: now,
    updatedAt: now,
    payment: { token: sealedToken },
  };
  const event = newEvent('order.placed', view, { source: 'orders', subject: id, cause: null, id: factId(id) });
  return {
    'verify the customer JWT (HS256)': await microseconds(() => verify(token, secret, 'HS256')),
    'validate the body (zod)': await microseconds(() => PlaceOrderInput.parse(JSON.parse(orderBody))),
    'price it from the catalog replica': await microseconds(() => price(input.items, catalog)),
    'seal the address (AES-256-GCM)': await microseconds(sealAddress),
    'decide and evolve (the order decider)': await microseconds(() =>
      decide(command, initialOrder, new Date()).reduce(evolve, initialOrder),
    ),
    'name the event (factId: SHA-256)': await microseconds(() => factId(id)),
    'validate the event (zod)': await microseconds(() => Event.parse(event)),
    'serialize the event (JSON)': await microseconds(() => JSON.stringify(event)),
    'sign the consistency token (HMAC-SHA256)': await microseconds(() =>
      signConsistencyToken(secret, { orderId: id, version: 1 }, 'cust_bench'),
    ),
  };
}

/**
 * How fast this machine is, so runs on different days or machines can be compared: the same
 * commit's orders/s moves with it. The CPU of one POST's pure steps (the sum of
 * {@link cpuOfSteps}), measured while the topology is idle.
 */
export async function machineSpeed(orderBody: string, secret: string) {
  const steps = await cpuOfSteps(orderBody, secret);
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    'µs of CPU for the pure steps of one POST (Node)': +Object.values(steps)
      .reduce((a, b) => a + b, 0)
      .toFixed(1),
  };
}

/** Linux counts CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** The CPU time (user + system, ms) in a `/proc/…/stat` line, and its process name and group. */
function statOf(path: string): { name: string; group: number; ms: number } {
  const stat = readFileSync(path, 'utf8');
  // "pid (comm) state ppid pgrp … utime stime …": the name may hold spaces, so split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    group: Number(fields[2]),
    ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
  };
}

/** CPU time (ms) a workerd process has used so far: in all its threads, and in its main thread. */
export type WorkerdCpu = Map<number, { all: number; main: number }>;

/**
 * The CPU each workerd process of the process group led by `group` (the `wrangler dev` the bench
 * started) has used so far, read from /proc: empty where there is no /proc. Under `wrangler dev`
 * one workerd runs every Worker on its main thread (V8's helper threads collect garbage beside it),
 * so that thread's time per order is what bounds local throughput.
 */
export function workerdCpuMs(group: number): WorkerdCpu {
  const used: WorkerdCpu = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return used;
  }
  for (const pid of pids) {
    try {
      const workerd = statOf(`/proc/${pid}/stat`);
      if (workerd.name !== 'workerd' || workerd.group !== group) continue;
      used.set(Number(pid), { all: workerd.ms, main: statOf(`/proc/${pid}/task/${pid}/stat`).ms });
    } catch {
      // The process ended while the list was read.
    }
  }
  return used;
}

/**
 * What the workerd processes used between two readings of {@link workerdCpuMs}, per confirmed
 * order (all processes, all threads), and the busiest main thread's share of a core over `wallMs`
 * (1.0: it never rested).
 */
export function workerdCpuBetween(before: WorkerdCpu, after: WorkerdCpu, orders: number, wallMs: number) {
  const used = [...after].map(([pid, { all, main }]) => ({
    all: all - (before.get(pid)?.all ?? 0),
    main: main - (before.get(pid)?.main ?? 0),
  }));
  if (used.length === 0 || orders === 0) return null;
  const busiestMain = Math.max(...used.map((u) => u.main));
  return {
    'ms per confirmed order': +(used.reduce((a, b) => a + b.all, 0) / orders).toFixed(1),
    "… of it on the busiest process's main thread": +(busiestMain / orders).toFixed(1),
    'that thread, share of a core': +(busiestMain / wallMs).toFixed(2),
  };
}
