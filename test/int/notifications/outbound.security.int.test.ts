import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker, { NotificationsService } from '../../../workers/notifications';
import { deliverWebhooks } from '../../../workers/notifications/consumer';
import { createSubscription, listDeliveries } from '../../../workers/notifications/webhooks';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { tap } from '../../helpers/queues';

const production = { allowedHosts: [] };
const count = async () => (await env.DB.prepare('SELECT count(*) AS n FROM webhook_subscriptions').first<{ n: number }>())!.n;

/** A `fetch` that records what it was asked and answers `answer`. */
function sender(answer: () => Response | Promise<Response>) {
  const requests: { url: string; init?: RequestInit }[] = [];
  const send = (async (url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(url), init });
    return answer();
  }) as typeof fetch;
  return { send, requests };
}

/** A subscription as an older deploy may have stored it, before URLs were checked. */
async function storedSubscription(url: string) {
  const id = `wh_${crypto.randomUUID()}`;
  await env.DB.prepare('INSERT INTO webhook_subscriptions (id, url, event_types, secret, created_at) VALUES (?, ?, ?, ?, ?)')
    .bind(id, url, JSON.stringify(['order.*']), `whsec_${btoa('x'.repeat(32))}`, new Date().toISOString())
    .run();
  return id;
}

async function deliveryFor(subscriptionId: string) {
  const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
  const batch = createMessageBatch('conveyor-notifications-inbox', [message(makeEvent('order.confirmed', order))]);
  await worker.queue(batch, { ...env, WEBHOOKS: tap(env.WEBHOOKS, { hold: true }) });
  return (await listDeliveries(env.DB, subscriptionId, { limit: 1 })).items[0]!.id;
}

async function deliver(deliveryId: string, send: typeof fetch, attempts = 1) {
  const batch = createMessageBatch('conveyor-webhooks', [message({ deliveryId }, { id: 'd', attempts })]);
  const ctx = createExecutionContext();
  await deliverWebhooks(batch, env, send);
  const result = await getQueueResult(batch, ctx);
  return result.explicitAcks.length ? 'ack' : 'retry';
}

describe('webhooks cannot be aimed inward', () => {
  it.each([
    ['http://127.0.0.1:22/', 'it must be https'],
    ['https://127.0.0.1:22/', '127.0.0.1 is a loopback address'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://localhost/hook', 'localhost is not a public host name'],
    ['https://[::1]/hook', 'loopback'],
    ['https://metadata.google.internal/', 'private host'],
  ])('refuses a subscription to %s with 400 webhook_url_refused, storing nothing', async (url, why) => {
    const before = await count();
    const service = new NotificationsService(createExecutionContext(), env);
    const answer = await service.createWebhook(url, ['order.*']);
    expect(answer).toMatchObject({ ok: false, error: { code: 'webhook_url_refused', status: 400 } });
    expect(!answer.ok && answer.error.message).toContain(why);
    expect(await count()).toBe(before);
  });

  it('takes a public https endpoint, and a local receiver only when local development allows its host', async () => {
    await expect(
      createSubscription(env.DB, 'https://hooks.shop.example/conveyor', ['order.*'], production),
    ).resolves.toBeTruthy();
    await expect(createSubscription(env.DB, 'http://127.0.0.1:9999/hook', ['order.*'], production)).rejects.toMatchObject({
      code: 'webhook_url_refused',
    });
    const local = new NotificationsService(createExecutionContext(), { ...env, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    expect(await local.createWebhook('http://127.0.0.1:9999/hook', ['order.*'])).toMatchObject({ ok: true });
  });

  it('checks again at delivery: a stored subscription to a private address fails unsent', async () => {
    const deliveryId = await deliveryFor(await storedSubscription('http://169.254.169.254/latest/meta-data/'));
    const { send, requests } = sender(() => new Response('secrets'));
    expect(await deliver(deliveryId, send)).toBe('ack');
    expect(requests).toEqual([]);
    const { s: subscriptionId } = (await env.DB.prepare('SELECT subscription_id AS s FROM webhook_deliveries WHERE id = ?')
      .bind(deliveryId)
      .first<{ s: string }>())!;
    const [delivery] = (await listDeliveries(env.DB, subscriptionId, { limit: 1 })).items;
    expect(delivery).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: 'refused, not sent: it must be https' });
  });

  it('does not follow a redirect, and says so in the log', async () => {
    const subscriptionId = await storedSubscription('https://hooks.shop.example/moved');
    const deliveryId = await deliveryFor(subscriptionId);
    const { send, requests } = sender(() => new Response(null, { status: 307, headers: { location: 'http://127.0.0.1:22/' } }));
    expect(await deliver(deliveryId, send)).toBe('retry');
    expect(requests.map((r) => [r.url, r.init?.redirect])).toEqual([['https://hooks.shop.example/moved', 'manual']]);
    expect((await listDeliveries(env.DB, subscriptionId, { limit: 1 })).items[0]).toMatchObject({
      status: 'pending',
      lastStatusCode: 307,
      lastError: 'the receiver redirected (307); redirects are not followed',
    });
  });

  it("keeps only the kind of a network failure, never the network's own words", async () => {
    const subscriptionId = await storedSubscription('https://hooks.shop.example/down');
    const deliveryId = await deliveryFor(subscriptionId);
    const { send } = sender(() => {
      throw new TypeError('connect ECONNREFUSED 10.0.0.7:5432');
    });
    expect(await deliver(deliveryId, send)).toBe('retry');
    expect((await listDeliveries(env.DB, subscriptionId, { limit: 1 })).items[0]).toMatchObject({
      lastError: 'the receiver could not be reached',
    });
  });
});
