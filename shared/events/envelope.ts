import * as z from 'zod';

/** W3C trace context: `00-<trace id>-<span id>-<flags>`. */
export const Traceparent = z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

/** The envelope every event travels in; `data` is narrowed per event type by {@link defineEvent}. */
export const Envelope = z.object({
  /** Made by the producer; the dedup key of every consumer. */
  id: z.uuid(),
  type: z.string().min(1),
  schemaVersion: z.int().positive(),
  occurredAt: z.iso.datetime(),
  source: z.string().min(1),
  /** The aggregate the event is about, e.g. the order id. */
  subject: z.string().min(1),
  correlationId: z.uuid(),
  causationId: z.uuid().nullable(),
  traceparent: Traceparent,
  data: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

/**
 * Declares one event type: its name, its data schema and its schema version.
 *
 * @example
 * export const OrderPlaced = defineEvent('order.placed', OrderSnapshot);
 */
export function defineEvent<const T extends string, D extends z.ZodType>(type: T, data: D, schemaVersion = 1) {
  return Envelope.extend({
    type: z.literal(type),
    schemaVersion: z.literal(schemaVersion),
    data,
  });
}
