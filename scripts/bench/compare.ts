// `npm run bench -- --compare`: the event-driven path against a synchronous chain (sync-chain/),
// side by side on one local topology, every service paying the same simulated latency per call
// (shared/simulated-faults.ts); with `--down <service>`, then the same orders with that service down.
//
// The product's eight Workers and the chain run in one runtime (wrangler's test harness, which sets
// vars per Worker). The client's wait is timed the same way for both: from sending the request to
// its answer, through the harness's dispatch to each Worker.
import { createTestHarness } from 'wrangler';
import { configs, customerToken, devVars, root } from '../local.ts';
import { readWorkerConfigs, resourcesOf } from '../resources.ts';
import { lineChart, type Point } from './chart.ts';
import { type Summary, summary } from './stats.ts';
import { HOPS, type HopName } from './sync-chain/services.ts';

export interface CompareOptions {
  /** Simulated latency of each of the four services, per call (chain) or per handled batch (event-driven). */
  latencyMs: number;
  /** Arrivals per second of each path, and for how long, with every service up. */
  rate: number;
  seconds: number;
  /** The service to take down afterwards, and for how long orders keep arriving while it is. */
  down?: HopName;
  downSeconds: number;
  progress: (message: string) => void;
}

const CHAIN_CONFIG = 'scripts/bench/sync-chain/wrangler.toml';
const SERVICE_CONFIG: Record<HopName, string> = {
  inventory: 'workers/inventory/wrangler.toml',
  payments: 'workers/payments/wrangler.toml',
  shipping: 'workers/shipping/wrangler.toml',
  notifications: 'workers/notifications/wrangler.toml',
};
/** What each service does for an order, as the order's timeline shows it: its step is done once this is there. */
const STEP_EVENT: Record<HopName, string> = {
  inventory: 'inventory.reserved',
  payments: 'payment.authorized',
  shipping: 'shipment.created',
  notifications: 'notification.sent',
};
/** A reload of every Worker must end within this; then the outage starts. */
const RELOAD_BUDGET_MS = 30_000;
/** The service stays down this long after the last order of the outage arrived. */
const DOWN_AFTER_LAST_ORDER_MS = 5_000;

type Outage = { service: HopName; from: number; until: number };

function harnessOptions(latencyMs: number, outage?: Outage) {
  const secrets = devVars();
  const interval = outage && `${new Date(outage.from).toISOString()}/${new Date(outage.until).toISOString()}`;
  const varsOf = (config: string): Record<string, string> => {
    if (config === 'wrangler.toml') return { AUTH_MODE: 'local' };
    if (config === CHAIN_CONFIG) {
      return {
        SIMULATED_LATENCY_MS: String(latencyMs),
        ...(outage && { SIMULATED_OUTAGE_SERVICE: outage.service, SIMULATED_OUTAGE: interval! }),
      };
    }
    const service = HOPS.find((s) => SERVICE_CONFIG[s] === config);
    if (!service) return {};
    return { SIMULATED_LATENCY_MS: String(latencyMs), ...(outage?.service === service && { SIMULATED_OUTAGE: interval! }) };
  };
  const secretsOf = (config: string): Record<string, string> | undefined =>
    config === CHAIN_CONFIG
      ? { JWT_SECRET: secrets.JWT_SECRET!, ADMIN_API_KEY: secrets.ADMIN_API_KEY! }
      : config === SERVICE_CONFIG.payments
        ? { PAYMENT_API_KEY: 'unused-by-the-sandbox' }
        : undefined;
  return {
    root,
    workers: [...configs, CHAIN_CONFIG].map((configPath) => {
      const secretsHere = secretsOf(configPath);
      return { configPath, vars: varsOf(configPath), ...(secretsHere && { secrets: secretsHere }) };
    }),
  };
}

/** An HTTP answer as the harness returns it. */
type Answer = { status: number; url: string; text(): Promise<string> };

interface Attempt {
  /** Seconds since the comparison began, when the request was sent. */
  at: number;
  status: number;
  ms: number;
  id?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function compare(options: CompareOptions) {
  const { latencyMs, rate, seconds, down, downSeconds, progress } = options;
  process.env.WRANGLER_LOG ??= 'warn';
  progress(`starting the topology and the synchronous chain, ${latencyMs} ms per service`);
  const harness = createTestHarness(harnessOptions(latencyMs));
  const stop = () => harness.close();
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    await harness.listen();
    const workers = readWorkerConfigs(root, [...configs, CHAIN_CONFIG]);
    for (const db of resourcesOf(workers).databases) {
      await harness.getWorker(workers.find((w) => w.path === db.config)!.config.name).applyD1Migrations(db.binding);
    }
    const gateway = harness.getWorker('conveyor-gateway');
    const chain = harness.getWorker('conveyor-bench-sync-chain');
    const started = performance.now();
    const elapsed = (t = performance.now()) => +((t - started) / 1000).toFixed(2);

    const admin = { authorization: `Bearer ${devVars().ADMIN_API_KEY}`, 'content-type': 'application/json' };
    const customers = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => ({
        authorization: `Bearer ${await customerToken(`cust_compare_${i}`)}`,
        'content-type': 'application/json',
      })),
    );
    const sku = `COMPARE-${Date.now().toString(36).toUpperCase()}`;
    const orderBody = JSON.stringify({
      items: [{ sku, quantity: 1 }],
      shippingAddress: { name: 'Bench', line1: '1 Loop', city: 'Berlin', postalCode: '10115', country: 'DE' },
      payment: { token: 'tok_visa' },
    });
    /** The JSON answer, read as `T`, if its status is one of `ok`; anything else stops the bench. */
    const json = async <T = unknown>(response: Answer, ...ok: number[]): Promise<T> => {
      const text = await response.text();
      if (!ok.includes(response.status)) throw new Error(`${response.url}: ${response.status} ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : null) as T;
    };
    const product = JSON.stringify({ name: 'Bench item', priceCents: 100, currency: 'EUR', stock: 1_000_000 });
    for (const worker of [gateway, chain]) {
      await json(
        await worker.fetch(`http://bench/v1/admin/products/${sku}`, { method: 'PUT', headers: admin, body: product }),
        200,
        201,
      );
    }

    /** The order's events as the read model has them (type → occurredAt in ms). */
    const timelineOf = async (id: string, customer: number) => {
      const { events } = await json<{ events: { type: string; occurredAt: string }[] }>(
        await gateway.fetch(`http://bench/v1/orders/${id}/timeline`, { headers: customers[customer]! }),
        200,
      );
      const first = new Map<string, number>();
      for (const e of events) if (!first.has(e.type)) first.set(e.type, Date.parse(e.occurredAt));
      return first;
    };
    const orderStatus = async (id: string, customer: number) =>
      (
        await json<{ status: string }>(
          await gateway.fetch(`http://bench/v1/orders/${id}`, { headers: customers[customer]! }),
          200,
        )
      ).status;

    // The orders service prices from its replica of the catalog, which hears of the product by event.
    progress(`waiting for ${sku} to reach the orders service's catalog`);
    for (const deadline = Date.now() + 60_000; ; ) {
      const response = await gateway.fetch('http://bench/v1/orders', { method: 'POST', headers: customers[0]!, body: orderBody });
      if (response.status === 202) {
        const { id } = await json<{ id: string }>(response, 202);
        while ((await orderStatus(id, 0)) === 'pending') await sleep(100);
        break;
      }
      await json(response, 422);
      if (Date.now() > deadline) throw new Error(`${sku} never reached the catalog replica`);
      await sleep(200);
    }
    await json(await chain.fetch('http://bench/v1/orders', { method: 'POST', headers: customers[0]!, body: orderBody }), 201);

    let customer = 1;
    /** Sends one order down a path; answers what the client saw. Any status but the expected ones stops the bench. */
    const place = async (
      worker: typeof gateway,
      accepted: number,
      refused: number[],
    ): Promise<Attempt & { customer: number }> => {
      const who = customer++ % customers.length;
      const t0 = performance.now();
      const response = await worker.fetch('http://bench/v1/orders', {
        method: 'POST',
        headers: customers[who]!,
        body: orderBody,
      });
      const body = await json<{ id?: string; order?: { id: string } } | null>(response, accepted, ...refused);
      return {
        at: elapsed(t0),
        status: response.status,
        ms: performance.now() - t0,
        id: body?.id ?? body?.order?.id,
        customer: who,
      };
    };
    /** `rate` arrivals per second for `forSeconds`, whatever the answers take (open loop). */
    const openLoop = async <T>(forSeconds: number, arrive: () => Promise<T>): Promise<T[]> => {
      const t0 = performance.now();
      const all: Promise<T>[] = [];
      for (let i = 0; i < Math.round(rate * forSeconds); i++) {
        const wait = t0 + (i / rate) * 1000 - performance.now();
        if (wait > 0) await sleep(wait);
        all.push(arrive());
      }
      return Promise.all(all);
    };
    /** Waits until each order's status is no longer pending (and `done` says its step is there), or the deadline. */
    const settle = async (
      orders: { id?: string; customer: number }[],
      done: (id: string, customer: number) => Promise<boolean>,
      limitMs: number,
    ) => {
      const left = new Set(orders.filter((o) => o.id));
      for (const deadline = Date.now() + limitMs; left.size > 0 && Date.now() < deadline; ) {
        for (const batch of chunks([...left], 8)) {
          await Promise.all(batch.map(async (o) => (await done(o.id!, o.customer)) && left.delete(o)));
        }
        if (left.size > 0) await sleep(500);
      }
      return left.size;
    };
    const ended = async (id: string, who: number) => (await orderStatus(id, who)) !== 'pending';

    // 1. Every service up: the same arrivals down each path, one path at a time.
    progress(`all services up: event-driven path, ${rate} orders/s for ${seconds} s`);
    const eventUp = await openLoop(seconds, () => place(gateway, 202, [429, 503]));
    const eventAccepted = eventUp.filter((a) => a.status === 202);
    progress(`${eventAccepted.length} of ${eventUp.length} accepted; waiting for the sagas to end`);
    const unsettled = await settle(eventAccepted, ended, 120_000);
    const confirmMs: number[] = [];
    for (const batch of chunks(eventAccepted, 8)) {
      await Promise.all(
        batch.map(async (a) => {
          const t = await timelineOf(a.id!, a.customer);
          if (t.has('order.confirmed')) confirmMs.push(t.get('order.confirmed')! - t.get('order.placed')!);
        }),
      );
    }
    progress(`all services up: synchronous chain, ${rate} orders/s for ${seconds} s`);
    const chainUp = await openLoop(seconds, () => place(chain, 201, [503]));
    const chainAccepted = chainUp.filter((a) => a.status === 201);

    const eventLatency = summary(eventAccepted.map((a) => a.ms));
    const chainLatency = summary(chainAccepted.map((a) => a.ms));
    const ratio = (k: keyof Summary) => +(eventLatency[k] / chainLatency[k]).toFixed(3);
    const allUp = {
      'event-driven: POST /v1/orders → 202, ms': eventLatency,
      'synchronous chain: POST /v1/orders → 201, ms': chainLatency,
      'client latency ratio, event-driven / chain': { p50: ratio('p50'), p95: ratio('p95'), p99: ratio('p99') },
      'event-driven: placed → confirmed (server timestamps), ms': summary(confirmMs),
      'event-driven orders': { sent: eventUp.length, accepted: eventAccepted.length, confirmed: confirmMs.length, unsettled },
      'chain orders': { sent: chainUp.length, accepted: chainAccepted.length },
    };
    progress(`all up: event-driven p50 ${eventLatency.p50} ms, chain p50 ${chainLatency.p50} ms, ratio ${ratio('p50')}`);

    let oneDown: Record<string, unknown> | undefined;
    const outagePoints: { event: Point[]; chain: Point[]; completed: Point[] } = { event: [], chain: [], completed: [] };
    if (down) {
      // 2. One service down. The outage is scheduled as an interval on the running Workers (one
      // reload, with every queue empty, so no message is lost to it); it ends by itself.
      const from = Date.now() + RELOAD_BUDGET_MS;
      const outage: Outage = { service: down, from, until: from + downSeconds * 1000 + DOWN_AFTER_LAST_ORDER_MS };
      progress(`${down} will be down from ${new Date(outage.from).toISOString()} to ${new Date(outage.until).toISOString()}`);
      await harness.update(harnessOptions(latencyMs, outage));
      if (Date.now() >= outage.from)
        throw new Error(`the Workers took over ${RELOAD_BUDGET_MS / 1000} s to reload; the outage began before`);
      await sleep(outage.from - Date.now() + 200);
      progress(`${down} is down: both paths, ${rate} orders/s each for ${downSeconds} s`);
      const both = await openLoop(downSeconds, () => Promise.all([place(gateway, 202, [429, 503]), place(chain, 201, [503])]));
      if (Date.now() >= outage.until) throw new Error('the orders of the outage arrived after it ended');
      const eventDown = both.map(([e]) => e);
      const chainDown = both.map(([, c]) => c);
      const accepted = eventDown.filter((a) => a.status === 202);
      await sleep(outage.until - Date.now());
      progress(`${down} is back; waiting for the ${accepted.length} accepted orders to complete`);
      const step = STEP_EVENT[down];
      const completeAt = new Map<string, number>();
      const complete = async (id: string, who: number) => {
        const t = await timelineOf(id, who);
        if (!t.has('order.confirmed') || !t.has(step)) return false;
        completeAt.set(id, Math.max(t.get('order.confirmed')!, t.get(step)!));
        return true;
      };
      const incomplete = await settle(accepted, complete, 180_000);
      const afterBack = [...completeAt.values()].map((at) => at - outage.until);
      const share = (n: number, of: number) => +((100 * n) / of).toFixed(1);
      const byStatus = (attempts: Attempt[]) => {
        const counts: Record<number, number> = {};
        for (const { status } of attempts) counts[status] = (counts[status] ?? 0) + 1;
        return counts;
      };
      oneDown = {
        service: down,
        'down (ISO 8601 interval)': `${new Date(outage.from).toISOString()}/${new Date(outage.until).toISOString()}`,
        'orders arrived while down, s': downSeconds,
        'event-driven': {
          sent: eventDown.length,
          'answers by status': byStatus(eventDown),
          'accepted %': share(accepted.length, eventDown.length),
          'POST → 202 while down, ms': summary(accepted.map((a) => a.ms)),
          [`completed (confirmed and ${step}) once ${down} was back`]: completeAt.size,
          [`${step} done before ${down} was back`]: afterBack.filter((ms) => ms < 0).length,
          'not completed within 180 s': incomplete,
          'completed after the service came back, ms': summary(afterBack),
        },
        'synchronous chain': {
          sent: chainDown.length,
          'answers by status': byStatus(chainDown),
          'accepted %': share(chainDown.filter((a) => a.status === 201).length, chainDown.length),
        },
      };
      outagePoints.event = cumulative(eventDown.filter((a) => a.status === 202).map((a) => a.at));
      outagePoints.chain = cumulative(chainDown.filter((a) => a.status === 201).map((a) => a.at));
      outagePoints.completed = cumulative([...completeAt.values()].map((at) => elapsed(at - Date.now() + performance.now())));
      progress(
        `${down} down: event-driven accepted ${share(accepted.length, eventDown.length)} %, chain ${(oneDown['synchronous chain'] as { 'accepted %': number })['accepted %']} %; ${completeAt.size} of ${accepted.length} completed once back`,
      );
    }

    const result = {
      at: new Date().toISOString(),
      latencyMsPerService: latencyMs,
      rate,
      seconds,
      'all services up': allUp,
      ...(oneDown && { 'one service down': oneDown }),
    };
    const charts = {
      latency: lineChart(`Client latency at ${latencyMs} ms per service: event-driven vs synchronous chain`, [
        {
          name: 'event-driven POST → 202',
          colour: '#1f77b4',
          unit: 'ms',
          points: eventAccepted.map((a) => ({ at: a.at, value: a.ms })),
        },
        {
          name: 'synchronous chain POST → 201',
          colour: '#d62728',
          unit: 'ms',
          points: chainAccepted.map((a) => ({ at: a.at, value: a.ms })),
        },
      ]),
      ...(down && {
        outage: lineChart(`${down} down: orders accepted by each path, and completed once it is back`, [
          { name: 'event-driven accepted', colour: '#1f77b4', unit: 'orders', points: outagePoints.event },
          { name: 'synchronous chain accepted', colour: '#d62728', unit: 'orders', points: outagePoints.chain },
          { name: 'event-driven completed', colour: '#2ca02c', unit: 'orders', points: outagePoints.completed },
        ]),
      }),
    };
    return { result, charts };
  } finally {
    await stop();
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}

/** A running count over time: one step up per event, at its time (seconds). */
function cumulative(times: number[]): Point[] {
  return [...times].sort((a, b) => a - b).map((at, i) => ({ at, value: i + 1 }));
}
