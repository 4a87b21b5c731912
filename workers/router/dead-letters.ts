import type { DeadLetter } from '../../shared/consume';
import { after, pageOf } from '../../shared/cursor';
import { AppError } from '../../shared/errors';
import { sha256 } from '../../shared/ids';
import { queueOfDeadLetters } from '../../shared/queue-names';
import type { AdminPageQuery, DeadLetterDetail, DeadLetterSummary, Page } from '../../shared/responses';
import { WebhookJob } from '../../shared/webhook-job';

type Row = {
  id: string;
  queue: string;
  reason: string;
  attempts: number;
  body: string;
  event_id: string | null;
  event_type: string | null;
  order_id: string | null;
  endpoint: string | null;
  status: 'dead' | 'redriven';
  times: number;
  first_at: string;
  last_at: string;
  redriven_at: string | null;
};

const summary = (r: Row): DeadLetterSummary => ({
  id: r.id,
  queue: r.queue,
  reason: r.reason,
  attempts: r.attempts,
  eventId: r.event_id,
  eventType: r.event_type,
  orderId: r.order_id,
  endpoint: r.endpoint,
  times: r.times,
  firstAt: r.first_at,
  lastAt: r.last_at,
});

function isDeadLetter(body: unknown): body is DeadLetter {
  return typeof body === 'object' && body !== null && 'deadLetter' in body && 'body' in body;
}

/**
 * Keeps one message from a dead-letter queue. Consumers send dead letters wrapped with their queue
 * and reason; anything the platform moved there itself gets the reason "retries exhausted". The
 * same message dead-lettered again (after a failed redrive) is the same entry, back on the list.
 */
export async function keep(db: D1Database, dlq: string, message: { body: unknown; attempts: number }): Promise<void> {
  const letter: DeadLetter = isDeadLetter(message.body)
    ? message.body
    : {
        deadLetter: {
          queue: queueOfDeadLetters(dlq),
          reason: 'retries exhausted (moved by the queue)',
          attempts: message.attempts,
          at: new Date().toISOString(),
        },
        body: message.body,
      };
  const body = JSON.stringify(letter.body);
  const { key, eventId, eventType, orderId, endpoint } = about(letter.body, body);
  const id = `dl_${(await sha256(`${letter.deadLetter.queue}\n${key}`)).slice(0, 24)}`;
  await db
    .prepare(
      `INSERT INTO dead_letters (id, queue, reason, attempts, body, event_id, event_type, order_id, endpoint, status, first_at, last_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'dead', ?10, ?10)
       ON CONFLICT (id) DO UPDATE SET reason = ?3, attempts = ?4, body = ?5, status = 'dead', times = times + 1, last_at = ?10`,
    )
    .bind(
      id,
      letter.deadLetter.queue,
      letter.deadLetter.reason,
      letter.deadLetter.attempts,
      body,
      eventId,
      eventType,
      orderId,
      endpoint,
      letter.deadLetter.at,
    )
    .run();
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * What a dead message is about: an event (its id, type and order), or a webhook delivery (its
 * event, order and endpoint). `key` names the message so the same one dead-lettered again is the
 * same entry: the delivery (one per event and endpoint), else the event, else the body itself.
 */
export function about(message: unknown, body: string) {
  const job = WebhookJob.safeParse(message);
  if (job.success) {
    const { deliveryId, eventId, eventType, orderId, endpoint } = job.data;
    return {
      key: deliveryId,
      eventId: eventId ?? null,
      eventType: eventType ?? null,
      orderId: orderId ?? null,
      endpoint: endpoint ?? null,
    };
  }
  const event = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const eventId = text(event.id);
  return {
    key: eventId ?? body,
    eventId,
    eventType: text(event.type),
    orderId: text(data.orderId) ?? (text(event.type)?.startsWith('order.') ? text(event.subject) : null),
    endpoint: null,
  };
}

/** The dead letters waiting for an operator, newest first, a page at a time. */
export async function list(db: D1Database, { limit, cursor }: AdminPageQuery): Promise<Page<DeadLetterSummary>> {
  const [at, id] = after(cursor);
  const { results } = await db
    .prepare("SELECT * FROM dead_letters WHERE status = 'dead' AND (last_at, id) < (?, ?) ORDER BY last_at DESC, id DESC LIMIT ?")
    .bind(at, id, limit + 1)
    .all<Row>();
  return pageOf(results, limit, (r) => [r.last_at, r.id], summary);
}

async function row(db: D1Database, id: string): Promise<Row> {
  const found = await db.prepare('SELECT * FROM dead_letters WHERE id = ?').bind(id).first<Row>();
  if (!found) throw new AppError({ code: 'dead_letter_not_found', message: `no dead letter ${id}`, status: 404 });
  return found;
}

/** One dead letter with its message. */
export async function inspect(db: D1Database, id: string): Promise<DeadLetterDetail> {
  const found = await row(db, id);
  return { ...summary(found), status: found.status, redrivenAt: found.redriven_at, body: JSON.parse(found.body) };
}

/**
 * Sends a dead letter back to the queue it came from and takes it off the list. If it fails
 * again, it comes back (same id) with the new reason.
 */
export async function redrive(db: D1Database, id: string, queues: Record<string, Queue>): Promise<DeadLetterDetail> {
  const found = await row(db, id);
  const queue = queues[found.queue];
  if (!queue) throw new AppError({ code: 'unknown_queue', message: `cannot send to ${found.queue}`, status: 409 });
  await queue.send(JSON.parse(found.body), { contentType: 'json' });
  await db
    .prepare("UPDATE dead_letters SET status = 'redriven', redriven_at = ? WHERE id = ?")
    .bind(new Date().toISOString(), id)
    .run();
  return inspect(db, id);
}

/** Drops a dead letter for good. */
export async function discard(db: D1Database, id: string): Promise<void> {
  await row(db, id);
  await db.prepare('DELETE FROM dead_letters WHERE id = ?').bind(id).run();
}
