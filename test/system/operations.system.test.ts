import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../shared/events';
import type {
  DeadLetterDetail,
  DeadLetterSummary,
  OrderList,
  SalesReport,
  SentMail,
  TimelineEntry,
  WebhookDelivery,
} from '../../shared/rpc';
import { admin, call, eventually, newProduct, orderBody, placeOrder, tokenFor } from './client';
import { receiver } from './receiver';
import { shop } from './shop';

const adminCall = <T>(method: string, path: string, body?: unknown) => call<T>(method, path, { token: admin(), body });

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

/** The dead letter of this subscription's delivery (other tests' deliveries may be dead too). */
async function ourDeadLetter(subscriptionId: string): Promise<DeadLetterDetail> {
  const log = await adminCall<{ items: WebhookDelivery[] }>('GET', `/v1/admin/webhooks/${subscriptionId}/deliveries`);
  const deliveryIds = new Set(log.body.items.map((d) => d.id));
  const { body } = await adminCall<{ items: DeadLetterSummary[] }>('GET', '/v1/admin/dead-letters');
  for (const summary of body.items.filter((d) => d.queue === 'conveyor-webhooks')) {
    const detail = (await adminCall<DeadLetterDetail>('GET', `/v1/admin/dead-letters/${summary.id}`)).body;
    if (deliveryIds.has((detail.body as { deliveryId: string }).deliveryId)) return detail;
  }
  throw new Error('no dead letter for this subscription yet');
}

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

  it('sees a webhook delivery that failed for good in the dead letters, with why', async () => {
    const created = await adminCall<{ id: string }>('POST', '/v1/admin/webhooks', {
      url: down.state.url,
      eventTypes: ['order.confirmed'],
    });
    subscriptionId = created.body.id;
    sku = await newProduct(20, 700);
    orderId = (await confirmed(sku)).body.id;

    const letter = await eventually(() => ourDeadLetter(subscriptionId), 20_000);
    expect(letter).toMatchObject({ status: 'dead', attempts: 2, reason: expect.stringMatching(/receiver answered 503/) });
  }, 30_000);

  it('fixes the cause, redrives it, and it leaves the list once delivered', async () => {
    down.state.up = true;
    const letter = await ourDeadLetter(subscriptionId);
    expect((await adminCall('POST', `/v1/admin/dead-letters/${letter.id}/redrive`)).status).toBe(202);
    await eventually(async () => {
      const log = await adminCall<{ items: WebhookDelivery[] }>('GET', `/v1/admin/webhooks/${subscriptionId}/deliveries`);
      expect(log.body.items[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    });
    expect(down.state.accepted).toHaveLength(1);
    const after = await adminCall<{ items: DeadLetterSummary[] }>('GET', '/v1/admin/dead-letters');
    expect(after.body.items.map((d) => d.id)).not.toContain(letter.id);
  }, 30_000);

  it('replays earlier events into a new subscriber, without repeating them for the others', async () => {
    await adminCall('POST', '/v1/admin/webhooks', { url: late.state.url, eventTypes: ['order.confirmed'] });
    late.state.up = true;
    const replayed = await adminCall<{ events: number; sent: Record<string, number> }>('POST', '/v1/admin/replay', {
      from: started,
      to: new Date().toISOString(),
      types: ['order.confirmed'],
      subscribers: ['notifications'],
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body.sent.notifications).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(late.state.accepted.length).toBeGreaterThanOrEqual(1));
    // The first endpoint already had it; the customer already had the mail.
    expect(down.state.accepted).toHaveLength(1);
    const mail = await adminCall<{ items: SentMail[] }>('GET', '/v1/admin/mail?limit=200');
    expect(mail.body.items.filter((m) => m.orderId === orderId && m.subject.includes('confirmed'))).toHaveLength(1);
  }, 30_000);

  it('rebuilds the read models from the archive into identical answers', async () => {
    await confirmed(sku);
    const read = async () => ({
      list: (await call<OrderList>('GET', '/v1/orders?limit=100', { token })).body.items,
      timeline: (await call<{ events: TimelineEntry[] }>('GET', `/v1/orders/${orderId}/timeline`, { token })).body.events,
      sales: (
        await adminCall<SalesReport>(
          'GET',
          `/v1/admin/reports/sales?from=${started.slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
        )
      ).body.sales,
    });
    const before = await eventually(async () => {
      const now = await read();
      expect(now.sales.find((s) => s.sku === sku)).toMatchObject({ units: 4, revenueCents: 2800 });
      return now;
    });
    const rebuilt = await adminCall<{ events: number }>('POST', '/v1/admin/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.events).toBeGreaterThan(0);
    expect(await read()).toEqual(before);

    // Replaying the archive into the read side again reproduces the same projections.
    const replayed = await adminCall<{ events: number }>('POST', '/v1/admin/replay', {
      from: started,
      to: new Date().toISOString(),
      subscribers: ['query'],
    });
    expect(replayed.body.events).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await read()).toEqual(before);
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
