// `npm run bench -- --compare`: the event-driven path against a synchronous chain (sync-chain/),
// side by side on one local topology, every one of the four services paying the same simulated
// latency per call (shared/simulated-faults.ts); with `--down <service>`, then the same arrivals
// down both paths while that service is down.
//
// The product's nine Workers and the chain run in one runtime (wrangler's test harness, which sets
// vars per Worker). The client's wait is timed the same way for both paths: from sending the
// request to its answer, through the harness's dispatch to each Worker.
import { loadavg } from 'node:os';
import { createTestHarness } from 'wrangler';
import { CONFIRMED_SAGA } from '../../shared/confirmed-saga.ts';
import { configs, devVars, root } from '../local.ts';
import { readWorkerConfigs, resourcesOf } from '../resources.ts';
import { lineChart, type Point } from './chart.ts';
import { benchShop, expectStatus } from './shop.ts';
import { type Summary, summary } from './stats.ts';
import { HOPS, type HopName } from './sync-chain/services.ts';

export interface CompareOptions {
  /** Simulated latency of each of the four services: per hop call (chain), per handled batch (event-driven). */
  latencyMs: number;
  /** Arrivals per second down each path, and for how long, with every service up. */
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
const sagaOver = (timeline: Map<string, number>) => CONFIRMED_SAGA.every((type) => timeline.has(type));

/** What each service's first step for an order announces. */
const STEP: Record<HopName, string> = {
  inventory: 'inventory.reserved',
  payments: 'payment.authorized',
  shipping: 'shipment.created',
  notifications: 'notification.sent',
};
/** Rounds of the all-up comparison: each path in turn, this many times. */
const ROUNDS = 3;
/** Reloading every Worker must take less than this; the outage starts after it. */
const RELOAD_BUDGET_MS = 30_000;
/**
 * The service stays down this long after the last order of the outage has arrived; with the
 * orders' 15 s, within the 31 s a message is retried before it is dead-lettered (1+2+4+8+16 s).
 */
const DOWN_AFTER_LAST_ORDER_MS = 10_000;

type Outage = { service: HopName; from: number; until: number };
const iso = (ms: number) => new Date(ms).toISOString();
const interval = (o: Outage) => `${iso(o.from)}/${iso(o.until)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The harness's Workers: the product's nine, the four services with the faults, and the chain with the same. */
function topology(latencyMs: number, outage?: Outage) {
  const { JWT_SECRET, ADMIN_API_KEY, PAYMENT_TOKEN_KEYS } = devVars();
  // Secrets the services' own folders have no .dev.vars for: from the root one.
  const tokenKeys = { PAYMENT_TOKEN_KEYS: PAYMENT_TOKEN_KEYS! };
  const latency = { SIMULATED_LATENCY_MS: String(latencyMs) };
  const service = (config: string) => HOPS.find((s) => SERVICE_CONFIG[s] === config);
  const settings = (config: string): { vars?: Record<string, string>; secrets?: Record<string, string> } => {
    if (config === 'wrangler.toml') return { vars: { AUTH_MODE: 'local' } };
    if (config === CHAIN_CONFIG) {
      const down = outage && { SIMULATED_OUTAGE_SERVICE: outage.service, SIMULATED_OUTAGE: interval(outage) };
      const secrets = { JWT_SECRET: JWT_SECRET!, ADMIN_API_KEY: ADMIN_API_KEY!, ...tokenKeys };
      return { vars: { ...latency, ...down }, secrets };
    }
    if (config === 'workers/orders/wrangler.toml') return { secrets: tokenKeys };
    const name = service(config);
    if (!name) return {};
    const down = outage?.service === name && { SIMULATED_OUTAGE: interval(outage) };
    // PAYMENT_API_KEY is declared by payments, unused by its sandbox provider.
    const secrets = name === 'payments' && { secrets: { PAYMENT_API_KEY: 'unused-by-the-sandbox', ...tokenKeys } };
    return { vars: { ...latency, ...down }, ...secrets };
  };
  return { root, workers: [...configs, CHAIN_CONFIG].map((configPath) => ({ configPath, ...settings(configPath) })) };
}

type Harness = ReturnType<typeof createTestHarness>;
type Worker = { fetch: ReturnType<Harness['getWorker']>['fetch'] };

/** What a client saw of one order it placed. */
interface Attempt {
  /** Seconds since the comparison began, when it was sent. */
  at: number;
  status: number;
  ms: number;
  /** Epoch ms, when the answer came. */
  answeredAt: number;
  id?: string;
  customer: number;
}

/** A shop's clients of both paths on one harness: customers, a product, and the calls the bench makes. */
async function openShop(harness: Harness) {
  const gateway = harness.getWorker('conveyor-gateway');
  const chain = harness.getWorker('conveyor-bench-sync-chain');
  const started = performance.now();
  const elapsed = (t = performance.now()) => +((t - started) / 1000).toFixed(2);
  const { admin, customers, sku, orderBody } = await benchShop('COMPARE');
  const get = async <T>(path: string, headers: Record<string, string>) =>
    expectStatus<T>(await gateway.fetch(`http://bench${path}`, { headers }), 200);
  const post = (worker: Worker, customer: number) =>
    worker.fetch('http://bench/v1/orders', { method: 'POST', headers: customers[customer]!, body: orderBody });

  let next = 1;
  const shop = {
    sku,
    elapsed,
    /** Sends one order down a path; answers what the client saw. */
    async place(path: 'event' | 'chain'): Promise<Attempt> {
      const customer = next++ % customers.length;
      const t0 = performance.now();
      const response = await post(path === 'event' ? gateway : chain, customer);
      const ok = path === 'event' ? [202, 429, 503] : [201, 503];
      const body = await expectStatus<{ id?: string; order?: { id: string }; orderId?: string } | null>(response, ...ok);
      const ms = performance.now() - t0;
      const id = body?.id ?? body?.order?.id ?? body?.orderId;
      return { at: elapsed(t0), status: response.status, ms, answeredAt: Date.now(), id, customer };
    },
    /** The first time each event type shows in the order's timeline (read model), in epoch ms. */
    async timeline({ id, customer }: Attempt): Promise<Map<string, number>> {
      const { events } = await get<{ events: { type: string; occurredAt: string }[] }>(
        `/v1/orders/${id}/timeline`,
        customers[customer]!,
      );
      const first = new Map<string, number>();
      for (const e of events) if (!first.has(e.type)) first.set(e.type, Date.parse(e.occurredAt));
      return first;
    },
    async deadLetters(): Promise<number> {
      return (await get<{ items: unknown[] }>('/v1/admin/dead-letters', admin)).items.length;
    },
    /** Stocks the product on both paths, then waits until the orders service's catalog replica has it. */
    async open(): Promise<void> {
      const product = JSON.stringify({ name: 'Bench item', priceCents: 100, currency: 'EUR', stock: 1_000_000 });
      for (const worker of [gateway, chain]) {
        const put = await worker.fetch(`http://bench/v1/admin/products/${sku}`, { method: 'PUT', headers: admin, body: product });
        await expectStatus(put, 200);
      }
      for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
        const response = await post(gateway, 0);
        if (response.status === 202) break;
        await expectStatus(response, 422);
        if (Date.now() > deadline) throw new Error(`${sku} never reached the catalog replica`);
      }
    },
    /** One order down each path, answered as expected and, on the event-driven path, its saga over. */
    async warmUp(): Promise<void> {
      const [event, chained] = [await shop.place('event'), await shop.place('chain')];
      if (event.status !== 202 || chained.status !== 201) throw new Error(`warm-up: ${event.status}, ${chained.status}`);
      const unfinished = await settle([event], async (a) => sagaOver(await shop.timeline(a)), 60_000);
      if (unfinished.length > 0) throw new Error(`the saga of warm-up order ${event.id} never ended`);
    },
  };
  return shop;
}

/** Waits until `done` holds for every order, or the deadline; answers the orders it never held for. */
async function settle(orders: Attempt[], done: (a: Attempt) => Promise<boolean>, limitMs: number): Promise<Attempt[]> {
  let left = orders;
  for (const deadline = Date.now() + limitMs; left.length > 0 && Date.now() < deadline; ) {
    const still: Attempt[] = [];
    for (const batch of chunks(left, 8)) {
      const held = await Promise.all(batch.map(done));
      still.push(...batch.filter((_, k) => !held[k]));
    }
    left = still;
    if (left.length > 0) await sleep(500);
  }
  return left;
}

/** `rate` arrivals per second for `seconds`, whatever the answers take (an open loop). */
async function openLoop<T>(rate: number, seconds: number, arrive: () => Promise<T>): Promise<T[]> {
  const t0 = performance.now();
  const all: Promise<T>[] = [];
  for (let i = 0; i < Math.round(rate * seconds); i++) {
    const wait = t0 + (i / rate) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    all.push(arrive());
  }
  return Promise.all(all);
}

type Shop = Awaited<ReturnType<typeof openShop>>;

/**
 * Every service up: the same arrivals down each path, one path at a time so each has the machine to
 * itself, in {@link ROUNDS} alternating rounds so that a change in the shared machine's load
 * between them falls on both paths alike.
 */
async function allUp(shop: Shop, { rate, seconds, progress }: CompareOptions) {
  const slice = seconds / ROUNDS;
  const event: Attempt[] = [];
  const chain: Attempt[] = [];
  const placedToConfirmed: number[] = [];
  const rounds: { 'event-driven p50, ms': number; 'chain p50, ms': number; 'ratio p50': number }[] = [];
  let unfinished = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`all services up, round ${round} of ${ROUNDS}: event-driven path, ${rate} orders/s for ${slice} s`);
    const accepted = (await openLoop(rate, slice, () => shop.place('event'))).filter((a) => a.status === 202);
    // The chain gets the machine only once the sagas of these orders are over.
    const left = await settle(
      accepted,
      async (a) => {
        const t = await shop.timeline(a);
        if (!sagaOver(t)) return false;
        placedToConfirmed.push(t.get('order.confirmed')! - t.get('order.placed')!);
        return true;
      },
      180_000,
    );
    unfinished += left.length;
    progress(`all services up, round ${round} of ${ROUNDS}: synchronous chain, ${rate} orders/s for ${slice} s`);
    const attempts = await openLoop(rate, slice, () => shop.place('chain'));
    const answered = attempts.filter((a) => a.status === 201);
    const [e, c] = [summary(accepted.map((a) => a.ms)).p50, summary(answered.map((a) => a.ms)).p50];
    rounds.push({ 'event-driven p50, ms': e, 'chain p50, ms': c, 'ratio p50': +(e / c).toFixed(3) });
    event.push(...accepted);
    chain.push(...attempts);
  }
  const sent = Math.round(rate * slice) * ROUNDS;
  const answered = chain.filter((a) => a.status === 201);
  const eventMs = summary(event.map((a) => a.ms));
  const chainMs = summary(answered.map((a) => a.ms));
  const ratio = (k: keyof Summary) => +(eventMs[k] / chainMs[k]).toFixed(3);
  progress(`all up: event-driven p50 ${eventMs.p50} ms, chain p50 ${chainMs.p50} ms, ratio ${ratio('p50')}`);
  return {
    attempts: { event, chain: answered },
    result: {
      'event-driven: POST /v1/orders → 202, ms': eventMs,
      'synchronous chain: POST /v1/orders → 201 confirmed, ms': chainMs,
      'client latency ratio, event-driven / chain': { p50: ratio('p50'), p95: ratio('p95'), p99: ratio('p99') },
      rounds,
      'event-driven: placed → confirmed (server timestamps), ms': summary(placedToConfirmed),
      'event-driven orders': { sent, accepted: event.length, 'saga not over within 180 s': unfinished },
      'chain orders': { sent, 'answered 201': answered.length },
    },
  };
}

/**
 * One service down. The outage is scheduled as an interval on the running Workers: one reload, once
 * every saga so far is over (a reload empties the local queues), then the service goes down at the
 * set time and comes back by itself, with its queues' retries still waiting.
 */
async function oneDown(shop: Shop, harness: Harness, options: CompareOptions & { down: HopName }) {
  const { latencyMs, rate, down, downSeconds, progress } = options;
  const from = Date.now() + RELOAD_BUDGET_MS;
  const outage: Outage = { service: down, from, until: from + downSeconds * 1000 + DOWN_AFTER_LAST_ORDER_MS };
  progress(`${down} will be down ${interval(outage)}; reloading the Workers`);
  const reload = Date.now();
  await harness.update(topology(latencyMs, outage));
  await shop.warmUp();
  progress(`reloaded and warmed up in ${((Date.now() - reload) / 1000).toFixed(1)} s`);
  if (Date.now() >= outage.from) throw new Error(`reloading took over ${RELOAD_BUDGET_MS / 1000} s: the outage began first`);
  await sleep(outage.from - Date.now() + 100);

  progress(`${down} is down: ${rate} orders/s down each path for ${downSeconds} s`);
  const arrivals = await openLoop(rate, downSeconds, () => Promise.all([shop.place('event'), shop.place('chain')]));
  // Only arrivals both of whose answers came while the service was down count (on a loaded machine an answer can be late).
  const both = arrivals.filter((pair) => pair.every((a) => a.answeredAt < outage.until));
  const event = both.map(([e]) => e);
  const chain = both.map(([, c]) => c);
  const accepted = event.filter((a) => a.status === 202);
  await sleep(outage.until - Date.now());

  progress(`${down} is back; waiting for the sagas of the ${accepted.length} orders accepted meanwhile`);
  const completedAt = new Map<string, number>();
  const stepAt = new Map<string, number>();
  const confirmedAt = new Map<string, number>();
  const incomplete = await settle(
    accepted,
    async (a) => {
      const t = await shop.timeline(a);
      if (!sagaOver(t)) return false;
      completedAt.set(a.id!, Math.max(...t.values()));
      stepAt.set(a.id!, t.get(STEP[down])!);
      confirmedAt.set(a.id!, t.get('order.confirmed')!);
      return true;
    },
    180_000,
  );
  const share = (n: number, of: number) => +((100 * n) / of).toFixed(1);
  const byStatus = (attempts: Attempt[]) => {
    const counts: Record<number, number> = {};
    for (const { status } of attempts) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  };
  const answered = chain.filter((a) => a.status === 201);
  const afterBack = (at: Iterable<number>) => [...at].map((t) => t - outage.until);
  progress(
    `${down} down: event-driven accepted ${share(accepted.length, event.length)} %, chain ${share(answered.length, chain.length)} %; ` +
      `${completedAt.size} of ${accepted.length} sagas over once it was back`,
  );
  // The chart's clock starts when the service went down.
  const sinceDown = (epochMs: number) => (epochMs - outage.from) / 1000;
  const start = shop.elapsed(performance.now() - (Date.now() - outage.from));
  const running = (attempts: Attempt[], ok: number) => {
    let n = 0;
    return attempts.map((a) => ({ at: Math.max(0, a.at - start), value: a.status === ok ? ++n : n }));
  };
  return {
    chart: {
      title: `${down} down for the first ${(outage.until - outage.from) / 1000} s: orders accepted, and sagas over once it was back`,
      event: running(event, 202),
      chain: running(chain, 201),
      completed: [...completedAt.values()]
        .map(sinceDown)
        .sort((a, b) => a - b)
        .map((at, i) => ({ at, value: i + 1 })),
    },
    result: {
      service: down,
      'down (ISO 8601 interval)': interval(outage),
      'orders arrived while down, s': downSeconds,
      'arrivals answered only after it was back (not counted)': arrivals.length - both.length,
      'event-driven': {
        sent: event.length,
        'answers by status': byStatus(event),
        'accepted %': share(accepted.length, event.length),
        'POST /v1/orders → 202 while down, ms': summary(accepted.map((a) => a.ms)),
        [`${STEP[down]} before ${down} was back`]: afterBack(stepAt.values()).filter((ms) => ms < 0).length,
        [`confirmed before ${down} was back`]: afterBack(confirmedAt.values()).filter((ms) => ms < 0).length,
        'sagas over once it was back': completedAt.size,
        'sagas not over within 180 s': incomplete.length,
        'saga over, ms after the service was back': summary(afterBack(completedAt.values())),
        'dead letters': await shop.deadLetters(),
      },
      'synchronous chain': {
        sent: chain.length,
        'answers by status': byStatus(chain),
        'accepted %': share(answered.length, chain.length),
      },
    },
  };
}

export async function compare(options: CompareOptions) {
  const { latencyMs, down, progress } = options;
  // Every queue delivery would be logged otherwise; failures still are.
  process.env.WRANGLER_LOG ??= 'warn';
  progress(`starting the topology and the synchronous chain, ${latencyMs} ms per service`);
  const loadAtStart = +loadavg()[0]!.toFixed(2);
  const harness = createTestHarness(topology(latencyMs));
  process.once('SIGINT', () => void harness.close().finally(() => process.exit(130)));
  try {
    await harness.listen();
    const workers = readWorkerConfigs(root, [...configs, CHAIN_CONFIG]);
    for (const db of resourcesOf(workers).databases) {
      await harness.getWorker(workers.find((w) => w.path === db.config)!.config.name).applyD1Migrations(db.binding);
    }
    const shop = await openShop(harness);
    progress(`waiting for ${shop.sku} to reach the orders service's catalog`);
    await shop.open();
    await shop.warmUp();
    const up = await allUp(shop, options);
    const loadAfterUp = +loadavg()[0]!.toFixed(2);
    const outage = down ? await oneDown(shop, harness, { ...options, down }) : undefined;

    const result = {
      at: new Date().toISOString(),
      // The machine is shared: its load says how much the figures owe to others' work.
      'load average (1 min) at start, after all-up, at end': [loadAtStart, loadAfterUp, +loadavg()[0]!.toFixed(2)],
      'latency per service, ms': latencyMs,
      'orders/s down each path': options.rate,
      'all services up': up.result,
      ...(outage && { 'one service down': outage.result }),
    };
    const charts = {
      latency: lineChart(`Client latency, ${latencyMs} ms per service: event-driven vs synchronous chain`, [
        { name: 'event-driven POST → 202', colour: '#1f77b4', unit: 'ms', points: latencies(up.attempts.event) },
        { name: 'synchronous chain POST → 201', colour: '#d62728', unit: 'ms', points: latencies(up.attempts.chain) },
      ]),
      ...(outage && {
        outage: lineChart(outage.chart.title, [
          { name: 'event-driven accepted', colour: '#1f77b4', unit: 'orders', points: outage.chart.event },
          { name: 'synchronous chain accepted', colour: '#d62728', unit: 'orders', points: outage.chart.chain },
          { name: 'event-driven sagas over', colour: '#2ca02c', unit: 'orders', points: outage.chart.completed },
        ]),
      }),
    };
    return { result, charts };
  } finally {
    await harness.close();
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}

const latencies = (attempts: Attempt[]): Point[] => attempts.map((a) => ({ at: a.at, value: a.ms }));
