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

/** `n` requests one after another; `after` runs between them, untimed. */
async function timed(
  n: number,
  request: (i: number) => Promise<Response>,
  status: number,
  after?: (body: string, i: number) => Promise<void>,
) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const body = await expectOk(await request(i), status);
    ms.push(performance.now() - t0);
    await after?.(body, i);
  }
  return summary(ms);
}

export const TRIVIAL = 'GET / of a trivial Worker (its own wrangler dev)';
export const POST_BACK_TO_BACK = 'POST /v1/orders, back to back (earlier orders settling meanwhile)';
export const POST_IDLE = 'POST /v1/orders, each on an idle system (the saga before it finished)';

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
}): Promise<Record<string, Summary>> {
  const { base, sku, orderBody, customers, trivial } = options;
  const customer = customers[0]!;
  const placer = (i: number) => customers[1 + (i % 50)]!;
  const post = (i: number) => fetch(`${base}/v1/orders`, { method: 'POST', headers: placer(i), body: orderBody });
  /**
   * Waits (untimed) until the whole saga of the order just placed has run (its timeline shows every
   * step of the happy path), so the next POST meets an idle system: what it measures is the edge path.
   */
  const settled = async (body: string, i: number) => {
    const { id } = JSON.parse(body) as { id: string };
    for (let tries = 0; tries < 500; tries++) {
      const response = await fetch(`${base}/v1/orders/${id}/timeline`, { headers: placer(i) });
      const text = await response.text();
      const seen = response.status === 200 ? (JSON.parse(text) as { events: { type: string }[] }).events.map((e) => e.type) : [];
      if (CONFIRMED_SAGA.every((type) => seen.includes(type))) return sleep(100);
      await sleep(20);
    }
    throw new Error(`the saga of order ${id} did not finish`);
  };
  const placed = JSON.parse(
    await expectOk(await fetch(`${base}/v1/orders`, { method: 'POST', headers: customer, body: orderBody }), 202),
  ) as { id: string };

  return {
    [TRIVIAL]: await timed(100, () => fetch(trivial), 200),
    'GET /v1/nothing (the gateway middleware alone: a 404)': await timed(100, () => fetch(`${base}/v1/nothing`), 404),
    'GET / (the gateway alone: the dashboard page)': await timed(100, () => fetch(`${base}/`), 200),
    'GET /v1/products/:sku (+ rate limit, RPC, D1)': await timed(100, () => fetch(`${base}/v1/products/${sku}`), 200),
    'GET /v1/orders/:id (+ customer JWT, RPC, Durable Object read)': await timed(
      100,
      () => fetch(`${base}/v1/orders/${placed.id}`, { headers: customer }),
      200,
    ),
    [POST_BACK_TO_BACK]: await timed(100, post, 202),
    [POST_IDLE]: await timed(100, post, 202, settled),
  };
}
