import { type DataOf, Event, type EventOf, type EventType, schemaVersions } from './events';
import { childTraceparent, deterministicId } from './ids';
import { sendPacked } from './packet';

/** What a new event inherits from the event (or request) that caused it. */
export interface Cause {
  id: string;
  correlationId: string;
  traceparent: string;
}

export interface EventMeta {
  source: string;
  subject: string;
  /** The event this one reacts to; null for an event that starts a flow. */
  cause: Cause | null;
  /** The trace of the request that started a flow; ignored when there is a cause. */
  traceparent?: string;
  /** Pass a deterministic id where the step may be redone (see `deterministicId`). */
  id?: string;
  now?: Date;
}

/**
 * Builds an event in the shared envelope, with ids, causation and trace filled in.
 *
 * @example
 * newEvent('payment.authorized', { orderId, paymentId, amountCents, currency }, { source: 'payments', subject: orderId, cause: placed })
 */
export function newEvent<T extends EventType>(type: T, data: DataOf<T>, meta: EventMeta): EventOf<T> {
  const id = meta.id ?? crypto.randomUUID();
  return {
    id,
    type,
    schemaVersion: schemaVersions.get(type),
    occurredAt: (meta.now ?? new Date()).toISOString(),
    source: meta.source,
    subject: meta.subject,
    correlationId: meta.cause?.correlationId ?? id,
    causationId: meta.cause?.id ?? null,
    traceparent: childTraceparent(meta.cause?.traceparent ?? meta.traceparent),
    data,
  } as EventOf<T>;
}

/**
 * Validates every event, then sends them to the bus packed (one message for the events of one
 * send, see `shared/packet.ts`); nothing is sent if any is invalid.
 */
export async function publish(bus: Queue, events: readonly unknown[]): Promise<void> {
  const valid = events.map((e) => Event.parse(e));
  if (valid.length > 0) await sendPacked(bus, valid);
}

/**
 * Publishes the one event a stateless step emits in answer to `cause`. Its id is derived from the
 * cause's id and the source, so a step redone after a crash publishes a duplicate that every
 * consumer drops, never a second fact.
 */
export async function publishAnswer<T extends EventType>(
  bus: Queue,
  source: string,
  cause: Event,
  type: T,
  data: DataOf<T>,
): Promise<void> {
  const id = await deterministicId(`${cause.id}/${source}`);
  await publish(bus, [newEvent(type, data, { source, subject: cause.subject, cause, id })]);
}
