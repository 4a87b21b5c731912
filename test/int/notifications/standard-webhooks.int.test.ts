import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/notifications';
import { deliverWebhooks } from '../../../workers/notifications/consumer';
import { newSecret, signWebhook } from '../../../workers/notifications/signature';
import { createSubscription, listDeliveries } from '../../../workers/notifications/webhooks';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { tap } from '../../helpers/queues';

/**
 * A shop's receiver written with the reference `standardwebhooks` package, as its README shows:
 * verify the raw body and the three headers with the endpoint's secret, 2xx only if they hold.
 */
function standardReceiver(secret: string) {
  const verified: unknown[] = [];
  const rejected: string[] = [];
  const app = new Hono().post('/hook', async (c) => {
    try {
      verified.push(new Webhook(secret).verify(await c.req.text(), Object.fromEntries(c.req.raw.headers)));
      return c.body(null, 204);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      rejected.push(error.message);
      return c.text(error.message, 401);
    }
  });
  return { app, verified, rejected };
}

type Tamper = (request: Request) => Promise<Request>;

/** Subscribes a receiver, lets one order event plan a delivery, and makes one delivery attempt through `tamper`. */
async function deliverOnce(tamper: Tamper = async (r) => r) {
  const subscription = await createSubscription(env.DB, 'https://shop.test/hook', ['order.confirmed'], { allowedHosts: [] });
  const receiver = standardReceiver(subscription.secret);
  const webhooks = tap(env.WEBHOOKS, { hold: true });
  const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
  await worker.queue(createMessageBatch('conveyor-notifications-inbox', [message(makeEvent('order.confirmed', order))]), {
    ...env,
    WEBHOOKS: webhooks,
  });
  const [delivery] = (await listDeliveries(env.DB, subscription.id, { limit: 1 })).items;
  const send = (async (input: RequestInfo | URL, init?: RequestInit) =>
    receiver.app.fetch(await tamper(new Request(input, init)))) as typeof fetch;
  await deliverWebhooks(createMessageBatch('conveyor-webhooks', [message({ deliveryId: delivery!.id })]), env, send);
  const [after] = (await listDeliveries(env.DB, subscription.id, { limit: 1 })).items;
  return { receiver, delivery: after! };
}

const withHeader =
  (name: string, value: (old: string) => string): Tamper =>
  async (request) => {
    const headers = new Headers(request.headers);
    headers.set(name, value(headers.get(name)!));
    return new Request(request, { headers });
  };

describe('webhook deliveries, checked by the standardwebhooks reference receiver', () => {
  it('are accepted as sent, with the event as the payload', async () => {
    const { receiver, delivery } = await deliverOnce();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.verified).toMatchObject([{ type: 'order.confirmed', data: { type: 'order.confirmed' } }]);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
  });

  it('are rejected when the body was changed on the way', async () => {
    const { receiver, delivery } = await deliverOnce(async (request) => {
      const body = JSON.parse(await request.text());
      body.data.data.totalCents = 1;
      return new Request(request, { body: JSON.stringify(body) });
    });
    expect(receiver.rejected).toEqual(['No matching signature found']);
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: 401 });
  });

  it('are rejected when the id the signature covers was changed', async () => {
    const { receiver } = await deliverOnce(withHeader('webhook-id', () => 'msg_someone_else'));
    expect(receiver.rejected).toEqual(['No matching signature found']);
  });

  it('are rejected when the timestamp was moved, or is older than the tolerance', async () => {
    const moved = await deliverOnce(withHeader('webhook-timestamp', (t) => String(Number(t) - 1)));
    expect(moved.receiver.rejected).toEqual(['No matching signature found']);

    // A replay of a genuine delivery 10 minutes later: signed correctly, but too old.
    const replayed = await deliverOnce(async (request) => {
      const body = await request.text();
      const stale = Math.floor(Date.now() / 1000) - 600;
      const secret = (await env.DB.prepare('SELECT secret FROM webhook_subscriptions ORDER BY created_at DESC LIMIT 1').first<{
        secret: string;
      }>())!.secret;
      const headers = new Headers(request.headers);
      headers.set('webhook-timestamp', String(stale));
      headers.set('webhook-signature', await signWebhook(secret, headers.get('webhook-id')!, stale, body));
      return new Request(request, { headers, body });
    });
    expect(replayed.receiver.rejected).toEqual(['Message timestamp too old']);
  });

  it('are rejected when signed with another secret', async () => {
    const { receiver } = await deliverOnce(async (request) => {
      const body = await request.text();
      const headers = new Headers(request.headers);
      const [id, timestamp] = [headers.get('webhook-id')!, Number(headers.get('webhook-timestamp'))];
      headers.set('webhook-signature', await signWebhook(newSecret(), id, timestamp, body));
      return new Request(request, { headers, body });
    });
    expect(receiver.rejected).toEqual(['No matching signature found']);
  });
});

describe('our signature, against the reference signer', () => {
  it('is the one standardwebhooks computes for the same secret, id, timestamp and body', async () => {
    const secret = newSecret();
    const timestamp = 1_764_000_000;
    const body = JSON.stringify({ type: 'order.shipped', data: { note: 'ünïcödé ✓' } });
    expect(await signWebhook(secret, 'msg_1', timestamp, body)).toBe(
      new Webhook(secret).sign('msg_1', new Date(timestamp * 1000), body),
    );
  });

  it('makes secrets the reference accepts: whsec_ and 32 random bytes in base64', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(secret)).not.toThrow();
  });
});
