import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../shared/events';
import {
  CreatedWebhook,
  DeadLetterDetail,
  DeadLetterSummary,
  OrderList,
  Page,
  RebuildAnswer,
  ReplayAnswer,
  SalesReport,
  SentMail,
  Timeline,
  WebhookDelivery,
} from '../../shared/responses';
import { admin, call, eventually, newProduct, orderBody, placeOrder, read, tokenFor } from './client';
import { receiver } from './receiver';
import { shop } from './shop';

const adminCall = <T>(method: string, path: string, body?: unknown) => call<T>(method, path, { token: admin(), body });
const adminRead = <S extends Parameters<typeof read>[0]>(schema: S, method: string, path: string, body?: unknown) =>
  read(schema, method, path, { token: admin(), body });

let token: string;
const started = new Date().toISOString();
const down = receiver();
const late = receiver();

beforeAll(async () => {
  token = await tokenFor(`cust_${crypto.randomUUID().slice(0, 8)}`);
  await Promise.all([down.start(), late.start()]);
});
afterAll(async () => {
  await Promise.all([down.stop(), late.stop()]);
});

/** Every dead letter waiting, read page by page with the cursor. */
async function allDeadLetters() {
  const letters: DeadLetterSummary[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/v1/admin/dead-letters?limit=20${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await adminRead(Page(DeadLetterSummary), 'GET', path);
    letters.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return letters;
}

/** The dead letter of the delivery to `endpoint` (other tests' deliveries may be dead too), as the list shows it. */
async function ourDeadLetter(endpoint: string): Promise<DeadLetterSummary> {
  const letter = (await allDeadLetters()).find((d) => d.queue === 'conveyor-webhooks' && d.endpoint === endpoint);
  if (!letter) throw new Error('no dead letter for this endpoint yet');
  return letter;
}

const deliveryLog = (subscriptionId: string) =>
  adminRead(Page(WebhookDelivery), 'GET', `/v1/admin/webhooks/${subscriptionId}/deliveries`);

const customer = shop(() => token);

async function confirmed(sku: string) {
  const placed = await customer.place(orderBody(sku, 2));
  expect(placed.status).toBe(202);
  await customer.settled(placed.body.id, 'confirmed');
  return placed;
}

describe('an operator recovers from failures with the admin API alone', () => {
  let orderId: string;
  let sku: string;
  let subscriptionId: string;

  it('sees a webhook delivery that failed for good in the dead letters: which event, order and endpoint, and why', async () => {
    const created = await adminRead(CreatedWebhook, 'POST', '/v1/admin/webhooks', {
      url: down.state.url,
      eventTypes: ['order.confirmed'],
    });
    subscriptionId = created.id;
    sku = await newProduct(20, 700);
    orderId = (await confirmed(sku)).body.id;

    const letter = await eventually(() => ourDeadLetter(down.state.url), 20_000);
    expect(letter).toMatchObject({
      attempts: 2,
      eventType: 'order.confirmed',
      orderId,
      endpoint: down.state.url,
      reason: 'failed 2 times; last error: the receiver answered 503',
    });
    const [delivery] = (await deliveryLog(subscriptionId)).items;
    expect(letter.eventId).toBe(delivery!.eventId);
    expect(await adminRead(DeadLetterDetail, 'GET', `/v1/admin/dead-letters/${letter.id}`)).toMatchObject({ status: 'dead' });
  }, 30_000);

  it('redriven while the receiver is still down, it is back on the list within seconds, not after another schedule', async () => {
    const letter = await ourDeadLetter(down.state.url);
    await adminRead(DeadLetterDetail, 'POST', `/v1/admin/dead-letters/${letter.id}/redrive`);
    const again = await eventually(async () => {
      const now = await ourDeadLetter(down.state.url);
      expect(now.times).toBe(2);
      return now;
    }, 15_000);
    expect(again).toMatchObject({ id: letter.id, attempts: 3, reason: 'failed 3 times; last error: the receiver answered 503' });
  }, 30_000);

  it('fixes the cause, redrives it, and it leaves the list once delivered', async () => {
    down.state.up = true;
    const letter = await ourDeadLetter(down.state.url);
    await adminRead(DeadLetterDetail, 'POST', `/v1/admin/dead-letters/${letter.id}/redrive`);
    await eventually(async () => {
      expect((await deliveryLog(subscriptionId)).items[0]).toMatchObject({
        status: 'delivered',
        attempts: 6,
        lastStatusCode: 204,
      });
    });
    expect(down.state.accepted).toHaveLength(1);
    expect((await allDeadLetters()).map((d) => d.id)).not.toContain(letter.id);
    // The redrive belongs to the order's trace.
    const trace = await adminCall<{ spans: { name: string }[] }>('GET', `/v1/admin/orders/${letter.orderId}/trace`);
    expect(trace.body.spans.map((s) => s.name)).toContain('POST /v1/admin/dead-letters/:id/redrive');
  }, 30_000);

  it('replays earlier events into a new subscriber, without repeating them for the others', async () => {
    await adminCall('POST', '/v1/admin/webhooks', { url: late.state.url, eventTypes: ['order.confirmed'] });
    late.state.up = true;
    const replayed = await adminRead(ReplayAnswer, 'POST', '/v1/admin/replay', {
      from: started,
      to: new Date().toISOString(),
      types: ['order.confirmed'],
      subscribers: ['notifications'],
    });
    expect(replayed.sent.notifications).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(late.state.accepted.length).toBeGreaterThanOrEqual(1));
    // The first endpoint already had it; the customer already had the mail.
    expect(down.state.accepted).toHaveLength(1);
    const mail = await adminRead(Page(SentMail), 'GET', '/v1/admin/mail?limit=200');
    expect(mail.items.filter((m) => m.orderId === orderId && m.subject.includes('confirmed'))).toHaveLength(1);
  }, 30_000);

  it('rebuilds the read models from the archive into identical answers', async () => {
    await confirmed(sku);
    const answers = async () => ({
      list: (await read(OrderList, 'GET', '/v1/orders?limit=100', { token })).items,
      timeline: (await read(Timeline, 'GET', `/v1/orders/${orderId}/timeline`, { token })).events,
      sales: (
        await adminRead(
          SalesReport,
          'GET',
          `/v1/admin/reports/sales?from=${started.slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
        )
      ).sales,
    });
    const before = await eventually(async () => {
      const now = await answers();
      expect(now.sales.find((s) => s.sku === sku)).toMatchObject({ units: 4, revenueCents: 2800 });
      return now;
    });
    const rebuilt = await adminRead(RebuildAnswer, 'POST', '/v1/admin/rebuild');
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(await answers()).toEqual(before);

    // Replaying the archive into the read side again reproduces the same projections.
    const replayed = await adminRead(ReplayAnswer, 'POST', '/v1/admin/replay', {
      from: started,
      to: new Date().toISOString(),
      subscribers: ['query'],
    });
    expect(replayed.events).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await answers()).toEqual(before);
  }, 30_000);
});

describe('read your writes', () => {
  it('waits for the order it just placed to show in the list', async () => {
    const sku = await newProduct(5);
    const placed = await placeOrder<OrderSnapshot & { consistencyToken: string }>(token, orderBody(sku));
    expect(placed.headers.get('consistency-token')).toBe(placed.body.consistencyToken);
    // Each call waits up to 2 s and says whether the write is in; under load a client asks again.
    await eventually(async () => {
      const path = `/v1/orders?consistencyToken=${encodeURIComponent(placed.body.consistencyToken)}`;
      const list = await call<OrderList>('GET', path, { token });
      expect(list.body.consistent).toBe(true);
      expect(list.body.items.map((o) => o.id)).toContain(placed.body.id);
    });
  });

  it('refuses a token it did not make', async () => {
    const answer = await call('GET', '/v1/orders?consistencyToken=forged', { token });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_consistency_token');
  });
});

describe("an order's trace", () => {
  it("holds the requests that placed it and that moved it, each found by the order's id", async () => {
    const customer = shop(() => token);
    const sku = await newProduct(5);
    // The client's own trace, sent with both tries: each request is a span of its own under it.
    const [traceId, clientSpan] = ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'];
    const key = { 'idempotency-key': crypto.randomUUID(), traceparent: `00-${traceId}-${clientSpan}-01` };
    const placed = await customer.place(orderBody(sku), key);
    expect(placed.status).toBe(202);
    const replayed = await customer.place(orderBody(sku), key);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    await customer.settled(placed.body.id, 'confirmed');
    expect((await call('POST', `/v1/orders/${placed.body.id}/cancel`)).status).toBe(401);
    const update = { id: `trk_${crypto.randomUUID()}`, orderId: placed.body.id, status: 'dispatched' };
    // The shipment is created after the order confirms: until then the carrier hears 404.
    await eventually(async () => expect((await customer.carrier(update)).status).toBe(200));
    await eventually(async () => {
      const trace = await adminCall<{ spans: { name: string; traceId: string; parentId: string | null; outcome: string }[] }>(
        'GET',
        `/v1/admin/orders/${placed.body.id}/trace`,
      );
      expect(trace.status).toBe(200);
      const span = (name: string, outcome: string) => trace.body.spans.filter((s) => s.name === name && s.outcome === outcome);
      // The POST that placed it, at the root of its trace, with the events it caused under it; the
      // repeated POST, told apart.
      const [root] = span('POST /v1/orders', '202');
      expect(span('POST /v1/orders', '202')).toHaveLength(1);
      expect(root).toMatchObject({ traceId, parentId: clientSpan });
      expect(span('publish order.placed', 'routed')[0]?.traceId).toBe(traceId);
      expect(span('POST /v1/orders', '202 replayed')).toMatchObject([{ traceId, parentId: clientSpan }]);
      // A stranger's failed call on the order is not in its trace.
      expect(trace.body.spans.filter((s) => s.outcome === '401')).toEqual([]);
      // The carrier's update, with the shipment's event in its trace.
      const [carrier] = span('POST /v1/webhooks/carrier', '200');
      expect(carrier).toBeDefined();
      expect(trace.body.spans.find((s) => s.name === 'publish shipment.dispatched')?.traceId).toBe(carrier?.traceId);
    });
  });
});
