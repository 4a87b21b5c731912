import { archiveEvents } from '../../shared/archive';
import { backoffSeconds, type ConsumeOptions, deadLetter, receive } from '../../shared/consume';
import type { Event } from '../../shared/events';
import { publisherOf, type Subscriber, subscribersOf } from '../../shared/subscriptions';

export type Inboxes = Record<Subscriber, Queue>;

/** Each subscriber's inbox binding. */
export function inboxes(env: Env): Inboxes {
  return {
    inventory: env.INVENTORY_INBOX,
    payments: env.PAYMENTS_INBOX,
    shipping: env.SHIPPING_INBOX,
    notifications: env.NOTIFICATIONS_INBOX,
    query: env.QUERY_INBOX,
    orders: env.ORDERS_INBOX,
  };
}

/** Queues limits per `sendBatch`: 100 messages and 256 KB; we keep a margin for framing. */
const MAX_MESSAGES = 100;
const MAX_BYTES = 250_000;

/**
 * Routes a batch from the bus: dead-letters what is not a valid event from its rightful publisher,
 * archives the rest, then sends one copy to each
 * subscriber's inbox. Each inbox gets its own `sendBatch`, so one failing inbox only retries
 * the messages bound for it; consumers dedup, so the copies other inboxes already took are harmless.
 */
export async function route(batch: MessageBatch<unknown>, inboxes: Inboxes, archive: R2Bucket, options: ConsumeOptions) {
  const received: { message: Message<unknown>; event: Event }[] = [];
  for (const message of batch.messages) {
    const event = await receive(message, { queue: batch.queue, ...options });
    if (!event) continue;
    const publisher = publisherOf(event.type);
    if (event.source !== publisher) {
      await deadLetter(message, `${event.source} may not publish ${event.type} (its publisher is ${publisher})`, {
        queue: batch.queue,
        ...options,
      });
      continue;
    }
    received.push({ message, event });
  }
  if (received.length === 0) return;

  try {
    await archiveEvents(
      archive,
      received.map((r) => r.event),
    );
  } catch (error) {
    console.error(JSON.stringify({ msg: 'archive failed; retrying batch', error: String(error) }));
    for (const { message } of received) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    return;
  }

  const failed = new Set<Message<unknown>>();
  const bySubscriber = new Map<Subscriber, { message: Message<unknown>; event: Event }[]>();
  for (const r of received) {
    for (const s of subscribersOf(r.event.type)) bySubscriber.set(s, [...(bySubscriber.get(s) ?? []), r]);
  }
  await Promise.all(
    [...bySubscriber].map(async ([subscriber, items]) => {
      for (const chunk of chunks(items.map((i) => i.event))) {
        try {
          await inboxes[subscriber].sendBatch(chunk.map((body) => ({ body, contentType: 'json' })));
        } catch (error) {
          console.error(JSON.stringify({ msg: 'fan-out failed', subscriber, error: String(error) }));
          for (const item of items) if (chunk.includes(item.event)) failed.add(item.message);
        }
      }
    }),
  );
  for (const { message } of received) {
    if (failed.has(message)) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    else message.ack();
  }
}

/** Splits events into `sendBatch`-sized groups by count and by size. */
export function chunks(events: Event[]): Event[][] {
  const groups: Event[][] = [];
  let current: Event[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length;
    if (current.length > 0 && (current.length === MAX_MESSAGES || bytes + size > MAX_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
