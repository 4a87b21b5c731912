// `npm run bench -- --profile`: the edge path at concurrency 1, a step at a time. Each route adds
// steps to the one before it, so the differences between their latencies say what each step costs
// on the wire; the CPU of the steps that are pure code is timed in Node (cpu.ts).
import { CONFIRMED_SAGA } from '../../shared/confirmed-saga.ts';
import { type Summary, summary } from './stats.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function expectOk(response: Response, status: number): Promise<string> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`${response.url}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

/** The `dur` of each metric of a Server-Timing header, by name. */
export function serverTiming(header: string | null): Map<string, number> {
  const metrics = new Map<string, number>();
  for (const metric of (header ?? '').split(',')) {
    const [name, ...params] = metric.trim().split(';');
    const dur = params.find((p) => p.startsWith('dur='));
    if (name && dur) metrics.set(name, Number(dur.slice(4)));
  }
  return metrics;
}

/**
 * `n` requests one after another; `after` runs between them, untimed. Answers the client's
 * latencies, and the gateway's own Server-Timing metrics by name.
 */
async function timedWithServer(
  n: number,
  request: (i: number) => Promise<Response>,
  status: number,
  after?: (body: string, i: number) => Promise<void>,
) {
  const ms: number[] = [];
  const server = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await request(i);
    const body = await expectOk(response, status);
    ms.push(performance.now() - t0);
    for (const [name, dur] of serverTiming(response.headers.get('server-timing')))
      server.set(name, [...(server.get(name) ?? []), dur]);
    await after?.(body, i);
  }
  return { client: summary(ms), server: new Map([...server].map(([name, durs]) => [name, summary(durs)])) };
}

const timed = async (...args: Parameters<typeof timedWithServer>) => (await timedWithServer(...args)).client;

/**
 * The pause before each request on an idle system. This machine (a virtual one) answers later
 * after a pause, and later the longer the pause: a bare Node HTTP round trip took 0.8 ms back to
 * back, 3.0 ms after 100 ms idle and 5.1 ms after 200 ms; the trivial Worker 3.9, 9.1 and 13.7 ms.
 * So a POST on an idle system is compared with requests made the same way, taking turns with it:
 * each comes {@link PAUSE_MS} after both the topology and the trivial Worker last answered.
 */
export const PAUSE_MS = 100;

export const NODE = 'GET of a bare Node HTTP server (in the bench process), back to back';
export const NODE_AFTER_PAUSE = `… the bare server, each ${PAUSE_MS} ms after both Workers last answered, taking turns with the POSTs on an idle system`;
export const TRIVIAL = 'GET / of a trivial Worker (its own wrangler dev), back to back';
export const TRIVIAL_AFTER_PAUSE = `… the trivial Worker, each ${PAUSE_MS} ms after both Workers last answered, taking turns with the POSTs on an idle system`;
export const POST_BACK_TO_BACK = 'POST /v1/orders, back to back (earlier orders settling meanwhile)';
export const POST_IDLE = `POST /v1/orders, each on an idle system (the saga before it finished), ${PAUSE_MS} ms after both Workers last answered`;
export const POST_IDLE_GATEWAY = '… of it at the gateway (its Server-Timing total)';
export const POST_IDLE_ORDERS = '… of that in the orders service (price, seal, place: Server-Timing orders)';

/**
 * Profiles the edge path of a running topology, 100 sequential requests per route: `customers[0]`
 * places the order read back, the next 50 place the rest (a customer's writes are rate-limited).
 */
export async function profileEdge(options: {
  base: string;
  sku: string;
  orderBody: string;
  customers: Record<string, string>[];
  /** The bench's trivial Worker, running beside the topology: the floor every route is compared with. */
  trivial: string;
  /** A bare Node HTTP server's URL: what the machine alone adds, Workers aside. */
  bare: string;
}): Promise<Record<string, Summary>> {
  const { base, sku, orderBody, customers, trivial, bare } = options;
  const customer = customers[0]!;
  const placer = (i: number) => customers[1 + (i % 50)]!;
  const post = (i: number) => fetch(`${base}/v1/orders`, { method: 'POST', headers: placer(i), body: orderBody });
  const bareAfterPause: number[] = [];
  const trivialAfterPause: number[] = [];
  /** Both Workers' processes answer something (untimed), so the pause after it is the same for both. */
  const touch = async () => {
    await Promise.all([fetch(trivial).then((r) => expectOk(r, 200)), fetch(`${base}/v1/nothing`).then((r) => expectOk(r, 404))]);
  };
  /** Waits {@link PAUSE_MS} after both Workers last answered: what comes before every request timed on an idle system. */
  const pause = async () => {
    await touch();
    await sleep(PAUSE_MS);
  };
  /** Times one request made a pause after both Workers last answered. */
  const afterPause = async (url: string, into: number[]) => {
    await pause();
    const t0 = performance.now();
    await expectOk(await fetch(url), 200);
    into.push(performance.now() - t0);
  };
  /**
   * Waits (untimed) until the whole saga of the order just placed has run (its timeline shows every
   * step of the happy path), so the next POST meets an idle system: what it measures is the edge path.
   * Then, taking turns with the POSTs, times the bare server and the trivial Worker after the pause.
   */
  const settled = async (body: string, i: number) => {
    const { id } = JSON.parse(body) as { id: string };
    for (let tries = 0; tries < 500; tries++) {
      const response = await fetch(`${base}/v1/orders/${id}/timeline`, { headers: placer(i) });
      const text = await response.text();
      const seen = response.status === 200 ? (JSON.parse(text) as { events: { type: string }[] }).events.map((e) => e.type) : [];
      if (CONFIRMED_SAGA.every((type) => seen.includes(type))) {
        await afterPause(bare, bareAfterPause);
        await afterPause(trivial, trivialAfterPause);
        return pause();
      }
      await sleep(20);
    }
    throw new Error(`the saga of order ${id} did not finish`);
  };
  const placed = JSON.parse(
    await expectOk(await fetch(`${base}/v1/orders`, { method: 'POST', headers: customer, body: orderBody }), 202),
  ) as { id: string };

  const idle = await timedWithServer(100, post, 202, settled);
  return {
    [NODE]: await timed(100, () => fetch(bare), 200),
    [NODE_AFTER_PAUSE]: summary(bareAfterPause),
    [TRIVIAL]: await timed(100, () => fetch(trivial), 200),
    [TRIVIAL_AFTER_PAUSE]: summary(trivialAfterPause),
    'GET /v1/nothing (the gateway middleware alone: a 404)': await timed(100, () => fetch(`${base}/v1/nothing`), 404),
    'GET / (the gateway alone: the dashboard page)': await timed(100, () => fetch(`${base}/`), 200),
    'GET /v1/products/:sku (+ rate limit, RPC, D1)': await timed(100, () => fetch(`${base}/v1/products/${sku}`), 200),
    'GET /v1/orders/:id (+ customer JWT, RPC, Durable Object read)': await timed(
      100,
      () => fetch(`${base}/v1/orders/${placed.id}`, { headers: customer }),
      200,
    ),
    [POST_BACK_TO_BACK]: await timed(100, post, 202),
    [POST_IDLE]: idle.client,
    [POST_IDLE_GATEWAY]: idle.server.get('total')!,
    [POST_IDLE_ORDERS]: idle.server.get('orders')!,
  };
}
