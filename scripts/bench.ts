// `npm run bench`: what an order costs and how long it takes, on the local topology.
//
//   npm run bench                              closed loop: 300 orders, at most 20 unfinished at a time
//   npm run bench -- --rate 20 --seconds 60    open loop: 20 orders/s arrive for 60 s, whatever happens
//   npm run bench -- --profile                 the edge path at concurrency 1, step by step
//   npm run bench -- --url http://127.0.0.1:8787   against a running `npm start` (counts no queue messages)
//   npm run bench -- --buckets 4               the bench's product split into 4 stock buckets (a hot SKU)
//   npm run bench -- --buckets 4 --stock 150   …with 150 units: a flash sale that sells out
//   BUS_SHARDS=2 npm run bench                 the bus in 2 shards (scripts/shards.ts)
//   npm run bench -- --with-local-costs        keep what local dev costs and the platform does not: the trace
//                                              collector, state on disk (scripts/bench/local-costs.ts)
//   npm run bench -- --compare --latency 50 --down payments
//                                              the event-driven path against a synchronous chain, 50 ms per
//                                              service, then with payments down (scripts/bench/compare.ts)
//
// Progress goes to stderr; the results to stdout as JSON and to <out>/<label>.json and .svg.
// Latencies of the saga come from the servers' own timestamps (each event's `occurredAt` in the
// order's timeline), queue messages from wrangler's log of every batch it delivers.
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { busShardOf } from '../shared/queue-names.ts';
import { lineChart, type Point } from './bench/chart.ts';
import { compare } from './bench/compare.ts';
import { cpuOfSteps, machineSpeed, type WorkerdCpu, workerdCpuBetween, workerdCpuMs } from './bench/cpu.ts';
import { scratchDir, withoutTraceCollector } from './bench/local-costs.ts';
import { POST_BACK_TO_BACK, POST_IDLE, POST_IDLE_GATEWAY, profileEdge, TRIVIAL, TRIVIAL_AFTER_PAUSE } from './bench/profile.ts';
import { rowsHeld, rowsWritten, stockBuckets } from './bench/rows.ts';
import { benchShop, expectStatus } from './bench/shop.ts';
import { costPerMillion, QueueLog, summary, total } from './bench/stats.ts';
import { HOPS, type HopName } from './bench/sync-chain/services.ts';
import { devVars, root, startTopology, type Topology } from './local.ts';
import { busConsumer, readRawConfig } from './shards.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string' },
    seconds: { type: 'string' },
    orders: { type: 'string', default: '300' },
    inflight: { type: 'string', default: '20' },
    url: { type: 'string' },
    out: { type: 'string', default: join(root, '.bench') },
    label: { type: 'string' },
    profile: { type: 'boolean', default: false },
    buckets: { type: 'string', default: '1' },
    stock: { type: 'string', default: '1000000' },
    compare: { type: 'boolean', default: false },
    latency: { type: 'string', default: '50' },
    down: { type: 'string' },
    'down-seconds': { type: 'string', default: '15' },
    'with-local-costs': { type: 'boolean', default: false },
  },
});
if (!args['with-local-costs']) withoutTraceCollector();
const progress = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

if (args.compare) {
  const latencyMs = Number(args.latency);
  const down = args.down as HopName | undefined;
  const rate = Number(args.rate ?? 5);
  const seconds = Number(args.seconds ?? 30);
  const downSeconds = Number(args['down-seconds']);
  const problems = [
    !(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= 10_000) && '--latency must be 0 … 10000 (ms)',
    down !== undefined && !HOPS.includes(down) && `--down must be one of ${HOPS.join(', ')}`,
    !(rate > 0) && '--rate must be a positive number of orders per second',
    !(seconds > 0 && downSeconds > 0) && '--seconds and --down-seconds must be positive',
  ].filter(Boolean);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(2);
  }
  const label = args.label ?? `compare-${latencyMs}ms${down ? `-${down}-down` : ''}`;
  const { result, charts } = await compare({ latencyMs, rate, seconds, down, downSeconds, progress });
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${label}.json`), `${JSON.stringify({ label, ...result }, null, 2)}\n`);
  writeFileSync(join(args.out, `${label}.svg`), charts.latency);
  if (charts.outage) writeFileSync(join(args.out, `${label}-outage.svg`), charts.outage);
  progress(`wrote ${join(args.out, `${label}.json`)} and the charts beside it`);
  console.log(JSON.stringify({ label, ...result }, null, 2));
  process.exit(0);
}
const openLoop = args.rate !== undefined;
const rate = Number(args.rate ?? 0);
const seconds = Number(args.seconds ?? 60);
const maxOrders = openLoop ? Math.round(rate * seconds) : Number(args.orders);
const inflight = Number(args.inflight);
const label = args.label ?? (openLoop ? `open-${rate}per-s-${seconds}s` : `closed-${maxOrders}-inflight-${inflight}`);

const queueLog = new QueueLog();
let topology: Topology | undefined;
let persistTo: string | undefined;
let url = args.url;
if (!url) {
  persistTo = scratchDir(args['with-local-costs']);
  progress(`starting the topology on ${persistTo}`);
  topology = await startTopology({ port: 8700 + Math.floor(Math.random() * 80), persistTo, quiet: true });
  topology.process.stdout?.on('data', (d) => queueLog.feed(String(d)));
  topology.process.stderr?.on('data', (d) => queueLog.feed(String(d)));
  url = topology.url;
}
const base = url;

const { admin, customers, sku, orderBody } = await benchShop('BENCH');

const day = new Date().toISOString().slice(0, 10);
/** Orders per status in the read model (one cheap query; the bench's only progress signal). */
async function statuses(): Promise<Record<string, number>> {
  const report = (await expectStatus(
    await fetch(`${base}/v1/admin/reports/sales?from=${day}&to=${day}`, { headers: admin }),
    200,
  )) as {
    ordersByStatus: Record<string, number>;
  };
  return report.ordersByStatus;
}
const ended = (s: Record<string, number>) => Object.entries(s).reduce((n, [k, v]) => (k === 'pending' ? n : n + v), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * The router's wait for a fuller bus batch (docs/capacity.md, "The bus's batch wait"), as its
 * wrangler.toml says when the result is written (null: not set, so wrangler's default).
 */
function busBatchTimeout(): unknown {
  return busConsumer(readRawConfig(root, 'workers/router/wrangler.toml'))?.max_batch_timeout ?? null;
}

/** Long enough for the outbox's resend alarms (shared/outbox.ts, RESEND_AFTER_MS = 5 s) to have fired once the queues are quiet. */
const RESEND_ALARMS_MS = 6_000;

/** Waits until no queue has delivered a batch for `quietMs`, so every message of the orders so far is counted. */
async function queuesQuiet(quietMs = 3000, limitMs = 120_000) {
  if (!topology) return;
  const deadline = Date.now() + limitMs;
  let last = JSON.stringify([...queueLog.messages]);
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = JSON.stringify([...queueLog.messages]);
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return;
  }
}

try {
  await expectStatus(
    await fetch(`${base}/v1/admin/products/${sku}`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({
        name: 'Bench item',
        priceCents: 100,
        currency: 'EUR',
        stock: Number(args.stock),
        buckets: Number(args.buckets),
      }),
    }),
    200,
    201,
  );
  // The orders service prices from its replica of the catalog, which hears of the product by event.
  progress(`waiting for ${sku} to reach the orders service's catalog`);
  const warmUp = customers[0]!;
  for (const deadline = Date.now() + 30_000; ; ) {
    const response = await fetch(`${base}/v1/orders`, { method: 'POST', headers: warmUp, body: orderBody });
    if (response.status === 202) {
      const { id } = (await response.json()) as { id: string };
      while (
        ((await expectStatus(await fetch(`${base}/v1/orders/${id}`, { headers: warmUp }), 200)) as { status: string }).status ===
        'pending'
      )
        await sleep(100);
      break;
    }
    await expectStatus(response, 422);
    if (Date.now() > deadline) throw new Error(`${sku} never reached the catalog replica`);
    await sleep(200);
  }
  await queuesQuiet();
  if (args.profile) {
    const trivialState = scratchDir(args['with-local-costs']);
    const trivial = await startTopology({
      port: 8790 + Math.floor(Math.random() * 9),
      persistTo: trivialState,
      quiet: true,
      only: { configs: ['scripts/bench/trivial/wrangler.toml'], readyPath: '/' },
    });
    progress(`the trivial Worker answers on ${trivial.url}`);
    const bare = createServer((_, res) => res.end('ok')).listen(0, '127.0.0.1');
    await once(bare, 'listening');
    const requests = await profileEdge({
      base,
      sku,
      orderBody,
      customers,
      trivial: trivial.url,
      bare: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
    });
    bare.close();
    await trivial.stop();
    rmSync(trivialState, { recursive: true, force: true });
    const floor = requests[TRIVIAL]!.p50;
    const floorAfterPause = requests[TRIVIAL_AFTER_PAUSE]!.p50;
    const profile = {
      topology: { 'bus max_batch_timeout (s)': busBatchTimeout() },
      'ms per request, 100 sequential (client)': requests,
      // The issue's target: POST /v1/orders p50 at concurrency 1 within 3× a trivial Worker's, each
      // compared with the trivial Worker asked the same way (after the same pause, or back to back).
      'POST p50 ÷ the trivial Worker p50': {
        'on an idle system (÷ the trivial Worker after the same pause)': +(requests[POST_IDLE]!.p50 / floorAfterPause).toFixed(1),
        'on an idle system (÷ the trivial Worker back to back)': +(requests[POST_IDLE]!.p50 / floor).toFixed(1),
        // Server-side: what the gateway spent, without wrangler dev's hops and the wait for the one
        // workerd thread, which the order's own saga takes up the moment the order commits.
        "the gateway's own time (Server-Timing), on an idle system": +(requests[POST_IDLE_GATEWAY]!.p50 / floor).toFixed(1),
        'back to back': +(requests[POST_BACK_TO_BACK]!.p50 / floor).toFixed(1),
      },
      'µs of CPU per call of each pure step (Node)': await cpuOfSteps(orderBody, devVars().JWT_SECRET!),
    };
    progress('profile done');
    console.log(JSON.stringify({ label, profile }, null, 2));
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, `${label}.json`), `${JSON.stringify({ label, profile }, null, 2)}\n`);
    await topology?.stop();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
    process.exit(0);
  }
  progress('timing this machine (the pure steps of one POST, in Node; the system idle)');
  const machine = await machineSpeed(orderBody, devVars().JWT_SECRET!);
  const before = queueLog.snapshot();
  const rowsBefore = persistTo ? rowsHeld(persistTo) : new Map<string, number>();
  const writtenBefore = await rowsWritten(base, admin);
  const statusesBefore = await statuses();
  const endedBefore = ended(statusesBefore);
  progress(
    openLoop
      ? `open loop: ${rate} orders/s for ${seconds} s`
      : `closed loop: ${maxOrders} orders, at most ${inflight} unfinished`,
  );

  const accepted: { id: string; postMs: number; customer: number }[] = [];
  const refused = new Map<number, number>();
  let retryAfter: string | null = null;
  let sent = 0;
  let endedNow = 0;
  const timeSeries: { at: number; accepted: number; ended: number; refused: number }[] = [];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const workerdGroup = topology?.process.pid;
  /** workerd's CPU so far; none against `--url`, where the bench did not start the topology. */
  const workerdCpu = (): WorkerdCpu => (workerdGroup ? workerdCpuMs(workerdGroup) : new Map());
  const cpuAtStart = workerdCpu();

  async function placeOne(i: number) {
    const t0 = performance.now();
    const customer = i % customers.length;
    const response = await fetch(`${base}/v1/orders`, { method: 'POST', headers: customers[customer]!, body: orderBody });
    const postMs = performance.now() - t0;
    if (response.status === 202) {
      const { id } = (await response.json()) as { id: string };
      accepted.push({ id, postMs, customer });
    } else if (response.status === 503 || response.status === 429) {
      retryAfter = response.headers.get('retry-after');
      await response.text();
      refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
    } else {
      await expectStatus(response, 202);
    }
  }

  let loading = true;
  const sampler = (async () => {
    while (loading) {
      endedNow = ended(await statuses()) - endedBefore;
      const r = total(refused);
      timeSeries.push({ at: +elapsed().toFixed(2), accepted: accepted.length, ended: endedNow, refused: r });
      progress(`${elapsed().toFixed(0)} s: sent ${sent}, accepted ${accepted.length}, ended ${endedNow}, refused ${r}`);
      await sleep(openLoop ? 1000 : 200);
    }
  })();

  const posts: Promise<void>[] = [];
  if (openLoop) {
    for (let i = 0; i < maxOrders; i++) {
      const wait = started + (i / rate) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      sent += 1;
      posts.push(placeOne(i));
    }
  } else {
    // At most `inflight` orders placed and not yet ended, by the read model's count.
    while (sent < maxOrders) {
      if (sent - total(refused) - endedNow >= inflight) {
        await sleep(20);
        continue;
      }
      sent += 1;
      posts.push(placeOne(sent));
    }
  }
  await Promise.all(posts);
  const loadSeconds = elapsed();
  loading = false;
  await sampler;
  const backlogAtStop = accepted.length - (ended(await statuses()) - endedBefore);
  progress(`load over after ${loadSeconds.toFixed(1)} s; ${backlogAtStop} accepted orders not yet ended; draining`);

  for (let deadline = Date.now() + 180_000, tick = 0; Date.now() < deadline; tick++) {
    endedNow = ended(await statuses()) - endedBefore;
    if (tick % 10 === 0) progress(`draining: ${accepted.length - endedNow} not yet ended`);
    timeSeries.push({ at: +elapsed().toFixed(2), accepted: accepted.length, ended: endedNow, refused: total(refused) });
    if (endedNow >= accepted.length) break;
    await sleep(500);
  }
  const cpuAtEnd = workerdCpu();
  const loadedMs = performance.now() - started;
  await queuesQuiet();
  // The resend alarm each staging transaction armed (the outbox's RESEND_AFTER_MS, 5 s) fires after
  // the queues are quiet, and re-arms for the object's own next need: a row written per setAlarm.
  if (topology) await sleep(RESEND_ALARMS_MS);
  const after = queueLog.snapshot();
  const rowsAfter = persistTo ? rowsHeld(persistTo) : new Map<string, number>();
  const writtenAfter = await rowsWritten(base, admin);

  progress(`reading ${accepted.length} timelines`);
  const confirmMs: number[] = [];
  const placedAt: number[] = [];
  const confirmedAt: number[] = [];
  const outcomes = new Map<string, number>();
  for (let i = 0; i < accepted.length; i += 8) {
    await Promise.all(
      accepted.slice(i, i + 8).map(async ({ id, customer }) => {
        const timeline = await fetch(`${base}/v1/orders/${id}/timeline`, { headers: customers[customer]! });
        const { events } = (await expectStatus(timeline, 200)) as { events: { type: string; occurredAt: string }[] };
        const placed = events.find((e) => e.type === 'order.placed');
        const confirmed = events.find((e) => e.type === 'order.confirmed');
        const cancelled = events.find((e) => e.type === 'order.cancelled');
        const outcome = confirmed ? 'confirmed' : cancelled ? 'cancelled' : 'unfinished';
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (placed && confirmed) {
          const p = Date.parse(placed.occurredAt);
          const c = Date.parse(confirmed.occurredAt);
          placedAt.push(p);
          confirmedAt.push(c);
          confirmMs.push(c - p);
        }
      }),
    );
  }
  const confirmedOrders = confirmMs.length;
  const spanSeconds = confirmedOrders ? (Math.max(...confirmedAt) - Math.min(...placedAt)) / 1000 : Number.NaN;

  const delta = (k: 'messages' | 'batches') =>
    new Map([...after[k]].map(([q, n]) => [q, n - (before[k].get(q) ?? 0)] as const).filter(([, n]) => n > 0));
  const messages = delta('messages');
  const batches = delta('batches');
  const perOrder = (n: number) => (confirmedOrders ? +(n / confirmedOrders).toFixed(2) : Number.NaN);
  const busBatches = [...batches].filter(([q]) => busShardOf(q) !== null).reduce((a, [, n]) => a + n, 0);
  // Counted: queue messages, consumer invocations (Worker requests besides the POST), archive writes
  // (one R2 put per bus batch), rows written (by the Workers, where SQLite and D1 report them).
  const writtenByStore = new Map(
    [...writtenAfter].map(([s, n]) => [s, perOrder(n - (writtenBefore.get(s) ?? 0))] as const).filter(([, n]) => n !== 0),
  );
  const counted = {
    queueMessages: perOrder(total(messages)),
    workerRequests: perOrder(total(batches) + confirmedOrders),
    r2ClassA: perOrder(busBatches),
    rowsWritten: +total(writtenByStore).toFixed(2),
  };
  const rowsByTable = new Map(
    [...rowsAfter].map(([t, n]) => [t, perOrder(n - (rowsBefore.get(t) ?? 0))] as const).filter(([, n]) => n !== 0),
  );
  // DO requests are modelled from the code (docs/capacity.md), 17 per order: OrderDO place 1, answers
  // heard 5, alarm 1; InventoryDO reserve and commit 2; PaymentDO authorize, capture, alarm 3;
  // ShipmentDO create and alarm 2; the vault's KeyDO seal 1 and open 2 (shipping's address,
  // notifications' mail). A throwaway count of every call and alarm over 40 orders found the same.
  const modelled = { durableObjectRequests: Number(process.env.BENCH_DO_REQUESTS ?? 17) };

  const result = {
    label,
    mode: openLoop ? { loop: 'open', rate, seconds } : { loop: 'closed', orders: maxOrders, inflight },
    topology: {
      busShards: Number(process.env.BUS_SHARDS ?? 1),
      stockBuckets: Number(args.buckets),
      stock: Number(args.stock),
      'bus max_batch_timeout (s)': busBatchTimeout(),
      localCosts: args['with-local-costs'] ? 'kept' : 'left out: no local trace collector, state in memory',
    },
    at: new Date().toISOString(),
    machine,
    orders: {
      sent,
      accepted: accepted.length,
      refused: Object.fromEntries(refused),
      retryAfter,
      outcomes: Object.fromEntries(outcomes),
    },
    'POST /v1/orders ms (client)': summary(accepted.map((a) => a.postMs)),
    'placed → confirmed ms (occurredAt)': summary(confirmMs),
    'completed orders / s': +(confirmedOrders / spanSeconds).toFixed(1),
    'accepted orders / s': +(accepted.length / loadSeconds).toFixed(1),
    'backlog at stop (accepted, not ended)': backlogAtStop,
    // From /proc, over the load and its drain: what bounds throughput under `wrangler dev`.
    'workerd CPU (the load until every order ended)': workerdCpuBetween(cpuAtStart, cpuAtEnd, confirmedOrders, loadedMs),
    'queue messages by queue': Object.fromEntries([...messages].sort()),
    'consumer invocations by queue': Object.fromEntries([...batches].sort()),
    'per confirmed order': { ...counted, ...modelled },
    'rows written per confirmed order, by store': Object.fromEntries([...writtenByStore].sort()),
    'rows held per confirmed order, by store and table': Object.fromEntries([...rowsByTable].sort()),
    'US$ per million orders': costPerMillion({ ...counted, ...modelled }),
    ...(persistTo && Number(args.buckets) > 1 && { 'stock buckets of the product': stockBuckets(persistTo, sku) }),
  };
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${label}.json`), `${JSON.stringify({ ...result, timeSeries }, null, 2)}\n`);
  const firstPlaced = Math.min(...placedAt);
  const latencyPoints: Point[] = placedAt
    .map((p, i) => ({ at: (p - firstPlaced) / 1000, value: confirmMs[i]! }))
    .sort((a, b) => a.at - b.at);
  writeFileSync(
    join(args.out, `${label}.svg`),
    lineChart(`Conveyor bench: ${label}`, [
      { name: 'accepted', colour: '#1f77b4', unit: 'orders', points: timeSeries.map((t) => ({ at: t.at, value: t.accepted })) },
      { name: 'ended', colour: '#2ca02c', unit: 'orders', points: timeSeries.map((t) => ({ at: t.at, value: t.ended })) },
      { name: 'refused', colour: '#d62728', unit: 'orders', points: timeSeries.map((t) => ({ at: t.at, value: t.refused })) },
      { name: 'placed → confirmed by placing time', colour: '#ff7f0e', unit: 'ms', points: latencyPoints },
    ]),
  );
  progress(`wrote ${join(args.out, `${label}.json`)} and .svg`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await topology?.stop();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
}
