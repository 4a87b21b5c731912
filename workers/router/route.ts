import { archiveEvents } from '../../shared/archive';
import { backoffSeconds, type ConsumeOptions, receive, sendDeadLetter } from '../../shared/consume';
import type { Event } from '../../shared/events';
import { type Packet, pack } from '../../shared/packet';
import { publisherOf, type Subscriber, subscribersOf } from '../../shared/subscriptions';
import { lagOf } from './lag';
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

/**
 * Routes a batch from a bus shard: dead-letters each event that is not valid or not from its rightful
 * publisher, archives the rest, then sends each subscriber one packet of every event of the batch
 * it subscribes to (`shared/packet.ts`), so an inbox takes one message per batch, not one per
 * event. A message is acked when every packet holding its events was sent; a failing inbox retries
 * only the messages whose events it missed; consumers dedup, so the copies other inboxes already
 * took are harmless.
 */
export async function route(
  batch: MessageBatch<unknown>,
  inboxes: Inboxes,
  archive: R2Bucket,
  options: ConsumeOptions & { lag?: (lagMs: number) => Promise<void>; shard?: number },
) {
  const consumeOptions = { queue: batch.queue, ...options };
  const received: { message: Message<unknown>; event: Event }[] = [];
  for (const message of batch.messages) {
    const { events, invalid } = receive(message);
    const letters = [...invalid];
    const valid: Event[] = [];
    for (const event of events) {
      const publisher = publisherOf(event.type);
      if (event.source === publisher) valid.push(event);
      else letters.push({ body: event, reason: `${event.source} may not publish ${event.type} (its publisher is ${publisher})` });
    }
    try {
      for (const { body, reason } of letters) await sendDeadLetter(body, reason, message, consumeOptions);
    } catch {
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      continue;
    }
    if (valid.length === 0) message.ack();
    for (const event of valid) received.push({ message, event });
  }
  if (received.length === 0) return;

  // The same fact sent twice (a resend, a redrive) travels once.
  const unique = new Map<string, { event: Event; messages: Message<unknown>[] }>();
  for (const { message, event } of received) {
    const seen = unique.get(event.id);
    if (seen) seen.messages.push(message);
    else unique.set(event.id, { event, messages: [message] });
  }
  const items = [...unique.values()];
  const messages = new Set(received.map((r) => r.message));
  // Measuring never fails the batch: admission only reads the lag.
  await options
    .lag?.(lagOf([...messages]))
    .catch((error) => console.error(JSON.stringify({ msg: 'lag not recorded', error: String(error) })));

  try {
    await archiveEvents(
      archive,
      items.map((i) => i.event),
      options.shard,
    );
  } catch (error) {
    console.error(JSON.stringify({ msg: 'archive failed; retrying batch', error: String(error) }));
    for (const message of messages) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    return;
  }

  const failed = new Set<Message<unknown>>();
  const packets = new Map<Subscriber, number>();
  await Promise.all(
    [...fanOut(items, (i) => i.event)].map(async ([subscriber, list]) => {
      for (const packet of pack(list, (i) => JSON.stringify(i.event).length)) {
        packets.set(subscriber, (packets.get(subscriber) ?? 0) + 1);
        try {
          await inboxes[subscriber].send({ events: packet.map((i) => i.event) } satisfies Packet, { contentType: 'json' });
        } catch (error) {
          console.error(JSON.stringify({ msg: 'fan-out failed', subscriber, error: String(error) }));
          for (const item of packet) for (const message of item.messages) failed.add(message);
        }
      }
    }),
  );
  for (const message of messages) {
    if (failed.has(message)) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    else message.ack();
  }
  if (options.metrics) {
    recordRouted(
      options.metrics,
      items.map((i) => i.event),
      packets,
      messages.size,
      batch.queue,
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
