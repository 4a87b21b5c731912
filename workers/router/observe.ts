import type { Event } from '../../shared/events';
import { type Meter, traceOf } from '../../shared/metrics';
import { busQueue as busQueueName, inboxQueue } from '../../shared/queue-names';
import type { Subscriber } from '../../shared/subscriptions';

const SETTLES = new Set(['order.placed', 'order.confirmed', 'order.cancelled', 'order.shipped', 'order.delivered']);

/**
 * Counts one routed batch: each event's hop from its publisher to the router (a span with the
 * event's own span id, so consumers' spans hang under it), the order's milestones, the copies
 * sent to each inbox, and the billable operations of the batch (the bus message, the inbox
 * messages, one R2 write for the archive, one invocation).
 */
export function recordRouted(
  meter: Meter,
  events: readonly Event[],
  sent: ReadonlyMap<Subscriber, number>,
  busMessages = events.length,
  busQueue = busQueueName(0),
  now = Date.now(),
) {
  meter.count('billable_total', { op: 'invocation' });
  meter.count('billable_total', { op: 'r2_write' });
  // Events travel packed: what the bus delivered is counted in messages, not events.
  meter.count('billable_total', { op: 'queue_message' }, busMessages);
  meter.count('queue_messages_total', { queue: busQueue, op: 'delivered' }, busMessages);
  for (const event of events) {
    meter.count('events_total', { type: event.type, outcome: 'handled' });
    const trace = traceOf(event.traceparent);
    const start = Date.parse(event.occurredAt);
    if (trace) {
      meter.span({
        traceId: trace.traceId,
        spanId: trace.spanId,
        parentId: null,
        name: `publish ${event.type}`,
        service: event.source,
        orderId: event.subject,
        start,
        ms: Math.max(0, now - start),
        outcome: 'routed',
      });
    }
    if (SETTLES.has(event.type)) {
      const data = event.data as { placedAt?: string; cancelReason?: string };
      meter.milestone({
        orderId: event.subject,
        status: event.type.slice('order.'.length).replace('placed', 'pending'),
        placedAt: data.placedAt ?? event.occurredAt,
        at: event.occurredAt,
        reason: data.cancelReason ?? null,
      });
    }
  }
  for (const [subscriber, n] of sent) {
    meter.count('queue_messages_total', { queue: inboxQueue(subscriber), op: 'sent' }, n);
    meter.count('billable_total', { op: 'queue_message' }, n);
  }
}
