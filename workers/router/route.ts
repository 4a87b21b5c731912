import { archiveEvents } from '../../shared/archive';
import { backoffSeconds, type ConsumeOptions, deadLetter, receive } from '../../shared/consume';
import type { Event } from '../../shared/events';
import { publisherOf, type Subscriber, subscribersOf } from '../../shared/subscriptions';
import { recordRouted } from './observe';

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
  const consumeOptions = { queue: batch.queue, ...options };
  const received: { message: Message<unknown>; event: Event }[] = [];
  for (const message of batch.messages) {
    const event = await receive(message, consumeOptions);
    if (!event) continue;
    const publisher = publisherOf(event.type);
    if (event.source !== publisher) {
      await deadLetter(message, `${event.source} may not publish ${event.type} (its publisher is ${publisher})`, consumeOptions);
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
  const bySubscriber = fanOut(received, (r) => r.event);
  await Promise.all(
    [...bySubscriber].map(async ([subscriber, items]) => {
      for (const chunk of chunks(items, (i) => i.event)) {
        try {
          await inboxes[subscriber].sendBatch(chunk.map(({ event }) => ({ body: event, contentType: 'json' })));
        } catch (error) {
          console.error(JSON.stringify({ msg: 'fan-out failed', subscriber, error: String(error) }));
          for (const { message } of chunk) failed.add(message);
        }
      }
    }),
  );
  for (const { message } of received) {
    if (failed.has(message)) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    else message.ack();
  }
  if (options.metrics) {
    const sent = new Map([...bySubscriber].map(([subscriber, items]) => [subscriber, items.length]));
    recordRouted(
      options.metrics,
      received.map((r) => r.event),
      sent,
    );
    await options.metrics.flush();
  }
}

/**
 * Who gets what: each item under every subscriber of its event's type, in order; only the
 * subscribers in `only`, when given.
 */
export function fanOut<T>(items: readonly T[], eventOf: (item: T) => Event, only?: readonly Subscriber[]): Map<Subscriber, T[]> {
  const bySubscriber = new Map<Subscriber, T[]>();
  for (const item of items) {
    for (const subscriber of subscribersOf(eventOf(item).type)) {
      if (only && !only.includes(subscriber)) continue;
      const list = bySubscriber.get(subscriber);
      if (list) list.push(item);
      else bySubscriber.set(subscriber, [item]);
    }
  }
  return bySubscriber;
}

/** Splits items into `sendBatch`-sized groups by count and by the size of their events. */
export function chunks<T>(items: readonly T[], eventOf: (item: T) => Event = (item) => item as Event): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = JSON.stringify(eventOf(item)).length;
    if (current.length > 0 && (current.length === MAX_MESSAGES || bytes + size > MAX_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
