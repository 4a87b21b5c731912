/**
 * Events travel packed: one queue message carries every event of one send (a Durable Object's
 * transaction, a router batch for one subscriber), so an order costs a few messages, not one per
 * event per hop. Consumers still take each event on its own and dedup it by id; a message is acked
 * only when all of its events are handled, so a retried packet redoes only what dedup drops.
 */

/** A queue message holds at most 128 KB; the margin is for the envelope. */
export const MAX_PACKET_BYTES = 120_000;
/** A `sendBatch` holds at most 100 messages and 256 KB. */
const MAX_BATCH_BYTES = 250_000;

export interface Packet {
  events: unknown[];
}

export function isPacket(body: unknown): body is Packet {
  return typeof body === 'object' && body !== null && !('type' in body) && Array.isArray((body as Packet).events);
}

/** The events in a message body: a packet's, or the body itself (one event, e.g. a redriven dead letter). */
export function unpack(body: unknown): unknown[] {
  return isPacket(body) ? body.events : [body];
}

/** Packs items into as few packets as fit a message, in order. */
export function pack<T>(items: readonly T[], bytesOf: (item: T) => number = (item) => JSON.stringify(item).length): T[][] {
  const packets: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (current.length > 0 && bytes + size > MAX_PACKET_BYTES) {
      packets.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size + 1;
  }
  if (current.length > 0) packets.push(current);
  return packets;
}

/**
 * Sends events to a queue packed, in as few `sendBatch` calls as the limits allow.
 *
 * @example
 * await sendPacked(env.QUERY_INBOX, events)
 */
export async function sendPacked(queue: Queue, events: readonly unknown[]): Promise<void> {
  const packets = pack(events).map((p) => ({ events: p }) satisfies Packet);
  let batch: Packet[] = [];
  let bytes = 0;
  for (const packet of packets) {
    const size = JSON.stringify(packet).length;
    if (batch.length > 0 && (batch.length === 100 || bytes + size > MAX_BATCH_BYTES)) {
      await queue.sendBatch(batch.map((body) => ({ body, contentType: 'json' })));
      batch = [];
      bytes = 0;
    }
    batch.push(packet);
    bytes += size;
  }
  if (batch.length > 0) await queue.sendBatch(batch.map((body) => ({ body, contentType: 'json' })));
}

/**
 * A stand-in for a queue that holds what is sent until {@link HeldAnswers.flush}, then sends it
 * packed: a stateless consumer's answers to a whole batch travel as one message, sent before the
 * batch is acked (so an answer lost to a crash is answered again when the batch comes back).
 *
 * @example
 * const answers = holdAnswers(env.BUS);
 * await consume(batch, handlers({ ...env, BUS: answers.queue }), { answers });
 */
export interface HeldAnswers {
  queue: Queue;
  flush(): Promise<void>;
}

export function holdAnswers(queue: Queue): HeldAnswers {
  let held: unknown[] = [];
  const stand = {
    async send(body: unknown) {
      held.push(...unpack(body));
    },
    async sendBatch(messages: Iterable<MessageSendRequest>) {
      for (const m of messages) held.push(...unpack(m.body));
    },
  };
  return {
    queue: stand as unknown as Queue,
    async flush() {
      const events = held;
      held = [];
      if (events.length > 0) await sendPacked(queue, events);
    },
  };
}
