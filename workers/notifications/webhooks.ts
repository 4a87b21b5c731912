import { after, pageOf } from '../../shared/cursor';
import { AppError } from '../../shared/errors';
import type { Event } from '../../shared/events';
import { deterministicId } from '../../shared/ids';
import { type OutboundPolicy, refusalOf } from '../../shared/outbound';
import { minimised, type Personal } from '../../shared/personal-data';
import type { AdminPageQuery, Page, WebhookDelivery, WebhookSubscription } from '../../shared/responses';
import { matches, type Pattern } from '../../shared/subscriptions';
import type { WebhookJob } from '../../shared/webhook-job';
import { newSecret, signWebhook } from './signature';

type SubscriptionRow = {
  id: string;
  url: string;
  event_types: string;
  secret: string;
  personal_data: number;
  created_at: string;
};

const toSubscription = (r: SubscriptionRow): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  eventTypes: JSON.parse(r.event_types),
  personalData: r.personal_data === 1,
  createdAt: r.created_at,
});

/**
 * Subscribes `url` to events of `eventTypes`, unless the URL aims where webhooks may not go
 * (see {@link refusalOf}): 400 `webhook_url_refused`, saying why.
 */
export async function createSubscription(
  db: D1Database,
  url: string,
  eventTypes: string[],
  policy: OutboundPolicy,
  personalData = false,
) {
  const refusal = refusalOf(url, policy);
  if (refusal) {
    throw new AppError({ code: 'webhook_url_refused', message: `webhooks cannot be sent to this URL: ${refusal}`, status: 400 });
  }
  const subscription = { id: `wh_${crypto.randomUUID()}`, url, eventTypes, personalData, createdAt: new Date().toISOString() };
  const secret = newSecret();
  await db
    .prepare(
      'INSERT INTO webhook_subscriptions (id, url, event_types, secret, personal_data, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .bind(subscription.id, url, JSON.stringify(eventTypes), secret, personalData ? 1 : 0, subscription.createdAt)
    .run();
  // The secret is shown once, at creation, like every provider does.
  return { ...subscription, secret };
}

export async function listSubscriptions(db: D1Database): Promise<WebhookSubscription[]> {
  const { results } = await db.prepare('SELECT * FROM webhook_subscriptions ORDER BY created_at').all<SubscriptionRow>();
  return results.map(toSubscription);
}

export async function deleteSubscription(db: D1Database, id: string): Promise<void> {
  const { meta } = await db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?').bind(id).run();
  if (meta.changes === 0)
    throw new AppError({ code: 'webhook_not_found', message: `no webhook subscription ${id}`, status: 404 });
}

/**
 * Records one delivery per subscription that wants `event`, with the exact payload to send (never
 * the payment token; the address and e-mail, opened by `personal`, only for subscriptions allowed
 * personal data), and answers the jobs of those still pending: what to put on the webhooks queue.
 * The delivery id is derived from event and subscription, so a redelivered event finds its
 * deliveries instead of making new ones; it is also the `webhook-id` receivers dedup on.
 */
export async function planDeliveries(db: D1Database, event: Event, personal?: () => Promise<Personal>): Promise<WebhookJob[]> {
  const subscriptions = (await listSubscriptions(db)).filter((s) => s.eventTypes.some((p) => matches(p as Pattern, event.type)));
  if (subscriptions.length === 0) return [];
  const now = new Date().toISOString();
  const opened = personal && subscriptions.some((s) => s.personalData) ? await personal() : undefined;
  const payload = (s: WebhookSubscription) =>
    JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: minimised(event, s, opened) });
  const ids = await Promise.all(subscriptions.map((s) => deterministicId(`${event.id}/${s.id}`).then((id) => `msg_${id}`)));
  await db.batch(
    subscriptions.map((s, i) =>
      db
        .prepare(
          `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, payload, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
        )
        .bind(ids[i], s.id, event.id, event.type, payload(s), now, now),
    ),
  );
  const { results } = await db
    .prepare("SELECT id FROM webhook_deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'")
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  const pending = new Set(results.map((r) => r.id));
  return subscriptions
    .map((s, i) => ({
      deliveryId: ids[i]!,
      eventId: event.id,
      eventType: event.type,
      orderId: event.subject,
      subscriptionId: s.id,
      endpoint: s.url,
    }))
    .filter((job) => pending.has(job.deliveryId));
}

/** A receiver that failed; `redriven` when the delivery had failed for good before (an operator redrove it). */
export class DeliveryFailed extends Error {
  constructor(
    readonly deliveryId: string,
    readonly why: string,
    readonly redriven: boolean,
  ) {
    super(`webhook ${deliveryId}: ${why}`);
  }
}

/**
 * Attempts one delivery: signs the stored payload the Standard Webhooks way and POSTs it. Answers
 * normally when delivered (or nothing is left to do); throws {@link DeliveryFailed} when the
 * receiver failed, so the queue retries it with backoff. Every attempt carries the same
 * `webhook-id`. A delivery that had failed for good stays `failed` until it is delivered.
 *
 * The URL is checked again first (the rules may have changed since the subscription was made): a
 * refused one fails the delivery for good, unsent. Redirects are not followed, and what the log
 * keeps of a failure is its kind, never the network's own words, so a delivery log cannot be read
 * as a port scan.
 */
export async function attemptDelivery(
  db: D1Database,
  deliveryId: string,
  policy: OutboundPolicy,
  send: typeof fetch = fetch,
): Promise<void> {
  const row = await db
    .prepare(
      `SELECT d.id, d.payload, d.status, s.url, s.secret FROM webhook_deliveries d
       JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = ?`,
    )
    .bind(deliveryId)
    .first<{ id: string; payload: string; status: string; url: string; secret: string }>();
  if (!row || row.status === 'delivered') return;

  const refusal = refusalOf(row.url, policy);
  if (refusal) {
    await record(db, row.id, null, `refused, not sent: ${refusal}`, 'failed');
    return;
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'webhook-id': row.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signWebhook(row.secret, row.id, timestamp, row.payload),
  };
  let code: number | null = null;
  let error: string | null = null;
  try {
    const response = await send(row.url, {
      method: 'POST',
      headers,
      body: row.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    code = response.status;
    await response.body?.cancel();
    if (code >= 300 && code < 400) error = `the receiver redirected (${code}); redirects are not followed`;
    else if (!response.ok) error = `the receiver answered ${code}`;
  } catch (e) {
    error =
      e instanceof Error && e.name === 'TimeoutError'
        ? 'the receiver did not answer within 10 s'
        : 'the receiver could not be reached';
  }
  const redriven = row.status === 'failed';
  await record(db, row.id, code, error, error ? (redriven ? 'failed' : 'pending') : 'delivered');
  if (error) throw new DeliveryFailed(row.id, error, redriven);
}

async function record(db: D1Database, id: string, code: number | null, error: string | null, status: WebhookDelivery['status']) {
  await db
    .prepare(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = ?, last_error = ?, status = ?, updated_at = ?
       WHERE id = ?`,
    )
    .bind(code, error, status, new Date().toISOString(), id)
    .run();
}

/** Marks a delivery whose retries are spent. */
export async function markFailed(db: D1Database, deliveryId: string): Promise<void> {
  await db
    .prepare("UPDATE webhook_deliveries SET status = 'failed', updated_at = ? WHERE id = ? AND status = 'pending'")
    .bind(new Date().toISOString(), deliveryId)
    .run();
}

type DeliveryRow = {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDelivery['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
};

/** The delivery log of one subscription, newest first, a page at a time. */
export async function listDeliveries(
  db: D1Database,
  subscriptionId: string,
  { limit, cursor }: AdminPageQuery,
): Promise<Page<WebhookDelivery>> {
  const [at, id] = after(cursor);
  const { results } = await db
    .prepare(
      `SELECT * FROM webhook_deliveries WHERE subscription_id = ? AND (created_at, id) < (?, ?)
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(subscriptionId, at, id, limit + 1)
    .all<DeliveryRow>();
  return pageOf(
    results,
    limit,
    (r) => [r.created_at, r.id],
    (r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      eventId: r.event_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }),
  );
}
