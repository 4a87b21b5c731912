// `npm run bench -- --profile`: the edge path at concurrency 1, a step at a time. Each route adds
// steps to the one before it, so the differences between their latencies say what each step costs
// on the wire; the steps that are only CPU (token, validation, signing) are timed in Node as well.
import { verify } from 'hono/jwt';
import { PlaceOrderInput } from '../../shared/api.ts';
import { signConsistencyToken } from '../../shared/consistency.ts';
import { Event } from '../../shared/events/index.ts';
import { factId } from '../../shared/ids.ts';
import { newEvent } from '../../shared/publish.ts';
import { type Summary, summary } from './stats.ts';

export interface EdgeProfile {
  /** Client-side latency of each route, 100 sequential requests each. */
  routes: Record<string, Summary>;
  /** CPU of each pure step of placing an order, in Node: µs per call (mean of 2,000). */
  cpuMicroseconds: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

function cpu(n: number, step: () => unknown): number {
  for (let i = 0; i < 200; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  return +(((performance.now() - t0) * 1000) / n).toFixed(1);
}

async function cpuAsync(n: number, step: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await step();
  return +(((performance.now() - t0) * 1000) / n).toFixed(1);
}

/**
 * Profiles the edge path of a running topology: `customers[0]` places the orders read back;
 * `token` and `secret` are that customer's JWT and the local JWT secret, for the CPU timings.
 */
export async function profileEdge(options: {
  base: string;
  sku: string;
  orderBody: string;
  customers: Record<string, string>[];
  token: string;
  secret: string;
}): Promise<EdgeProfile> {
  const { base, sku, orderBody, customers } = options;
  const customer = customers[0]!;
  const placer = (i: number) => customers[1 + (i % 50)]!;
  const post = (i: number) => fetch(`${base}/v1/orders`, { method: 'POST', headers: placer(i), body: orderBody });
  /** Waits (untimed) until the order just placed has left `pending`, so the next POST meets an idle system. */
  const settled = async (body: string, i: number) => {
    const { id } = JSON.parse(body) as { id: string };
    for (let tries = 0; tries < 500; tries++) {
      const order = await fetch(`${base}/v1/orders/${id}`, { headers: placer(i) });
      const text = await order.text();
      if (order.status === 200 && (JSON.parse(text) as { status: string }).status !== 'pending') return;
      await sleep(20);
    }
    throw new Error(`order ${id} did not settle`);
  };
  const placed = JSON.parse(
    await expectOk(await fetch(`${base}/v1/orders`, { method: 'POST', headers: customer, body: orderBody }), 202),
  ) as { id: string };

  const routes = {
    'GET /v1/nothing (the gateway middleware alone: a 404)': await timed(100, () => fetch(`${base}/v1/nothing`), 404),
    'GET / (the gateway alone: the dashboard page)': await timed(100, () => fetch(`${base}/`), 200),
    'GET /v1/products/:sku (+ rate limit, RPC, D1)': await timed(100, () => fetch(`${base}/v1/products/${sku}`), 200),
    'GET /v1/orders/:id (+ customer JWT, RPC, Durable Object read)': await timed(
      100,
      () => fetch(`${base}/v1/orders/${placed.id}`, { headers: customer }),
      200,
    ),
    'POST /v1/orders, back to back (earlier orders settling meanwhile)': await timed(100, post, 202),
    'POST /v1/orders, each once the one before has settled': await timed(100, post, 202, settled),
  };

  const input = PlaceOrderInput.parse(JSON.parse(orderBody));
  const order = {
    id: crypto.randomUUID(),
    customerId: 'cust_profile',
    status: 'pending' as const,
    items: input.items.map((l) => ({ ...l, name: 'Bench item', unitPriceCents: 100 })),
    totalCents: 100,
    currency: 'EUR',
    shippingAddress: input.shippingAddress,
    version: 1,
    placedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    payment: input.payment,
  };
  const event = newEvent('order.placed', order, { source: 'orders', subject: order.id, cause: null, id: factId(order.id) });
  const cpuMicroseconds = {
    'verify the customer JWT (HS256)': await cpuAsync(2000, () => verify(options.token, options.secret, 'HS256')),
    'validate the body (zod), once': cpu(2000, () => PlaceOrderInput.parse(JSON.parse(orderBody))),
    'name the event (factId)': cpu(2000, () => factId(order.id)),
    'validate the event (zod), once': cpu(2000, () => Event.parse(event)),
    'sign the consistency token (HMAC)': await cpuAsync(2000, () =>
      signConsistencyToken(options.secret, { orderId: order.id, version: 1 }, order.customerId),
    ),
  };
  return { routes, cpuMicroseconds };
}
