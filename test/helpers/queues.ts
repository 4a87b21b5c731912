import { expect, vi } from 'vitest';
import type { Handlers } from '../../shared/consume';
import { type Event, eventTypes } from '../../shared/events';
import { unpack } from '../../shared/packet';
import { matches, type Pattern, type Subscriber, subscriptions } from '../../shared/subscriptions';

export interface Tap extends Queue {
  /** Every body sent through the tap, in order. */
  sent: unknown[];
  /** How many `send`/`sendBatch` calls were made. */
  calls: number;
}

/**
 * Records what a Worker sends, then passes it on to the real queue. `fail` injects an outage;
 * `hold` keeps the messages for the test to deliver itself, so the queue's own consumer does not
 * race it; `until` keeps each send under way until it settles.
 */
export function tap(queue: Queue, options: { fail?: boolean; hold?: boolean; until?: Promise<unknown> } = {}): Tap {
  const sent: unknown[] = [];
  const t = {
    sent,
    calls: 0,
    async send(body: unknown, opts?: QueueSendOptions) {
      t.calls += 1;
      await options.until;
      if (options.fail) throw new Error('injected: queue unavailable');
      sent.push(body);
      if (!options.hold) await queue.send(body, opts);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>, opts?: QueueSendBatchOptions) {
      t.calls += 1;
      await options.until;
      if (options.fail) throw new Error('injected: queue unavailable');
      const list = [...messages];
      sent.push(...list.map((m) => m.body));
      if (!options.hold) await queue.sendBatch(list, opts);
    },
    metrics: () => queue.metrics(),
  };
  return t as unknown as Tap;
}

/**
 * Watches what every Worker and Durable Object of the test's isolate sends to `queue` from now on
 * (each send still goes to the real queue): the events, packets unpacked, in the order they were
 * sent. The outbox deletes what it sent, so this is how a test sees what an object announced.
 * `vi.restoreAllMocks()` ends the watch.
 */
export function watchSends(queue: Queue): { events(): Event[] } {
  const batches = vi.spyOn(queue, 'sendBatch');
  const singles = vi.spyOn(queue, 'send');
  return {
    events: () =>
      [
        ...batches.mock.calls.flatMap(([messages], i) =>
          [...messages].map((m) => ({ order: batches.mock.invocationCallOrder[i]!, body: m.body })),
        ),
        ...singles.mock.calls.map(([body], i) => ({ order: singles.mock.invocationCallOrder[i]!, body })),
      ]
        .sort((a, b) => a.order - b.order)
        .flatMap(({ body }) => unpack(body)) as Event[],
  };
}

/** The events among what a tap recorded, packets unpacked. */
export const events = (t: Tap) => t.sent.flatMap(unpack) as Event[];

/** Asserts that a service handles exactly the event types it subscribes to. */
export function expectHandlesExactly(subscriber: Subscriber, handlers: Handlers) {
  const subscribed = eventTypes.filter((type) => (subscriptions[subscriber] as readonly Pattern[]).some((p) => matches(p, type)));
  expect(Object.keys(handlers).sort()).toEqual([...subscribed].sort());
}
