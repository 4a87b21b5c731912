import { Event, type EventOf, type EventType } from './events';

export type Handlers = { [T in EventType]?: (event: EventOf<T>) => Promise<void> };

export interface ConsumeOptions {
  /** Where a message that can never succeed goes, with its reason, instead of being retried. */
  deadLetters?: Queue;
  /** The queue being consumed, named in dead letters. */
  queue?: string;
}

/** The body of a message sent to a dead-letter queue by {@link consume}. */
export interface DeadLetter {
  deadLetter: { queue: string; reason: string; attempts: number; at: string };
  body: unknown;
}

/** Retry delay for the n-th attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1));
}

/**
 * Handles a queue batch one message at a time: each message is parsed as an event, handed to the
 * handler for its type, and acked or retried on its own, so one failure never fails the batch.
 * An invalid message is dead-lettered with its reason; a thrown error is retried with backoff,
 * and once the queue's retries are spent the platform moves it to the dead-letter queue.
 */
export async function consume(batch: MessageBatch<unknown>, handlers: Handlers, options: ConsumeOptions = {}) {
  await Promise.all(batch.messages.map((message) => consumeOne(message, handlers, { queue: batch.queue, ...options })));
}

/**
 * The event in a message, or null when it is not a valid event; then the message has been
 * dead-lettered with the reason (or retried, if even that failed).
 */
export async function receive(message: Message<unknown>, options: ConsumeOptions): Promise<Event | null> {
  const parsed = Event.safeParse(message.body);
  if (parsed.success) return parsed.data;
  const reason = `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
  await deadLetter(message, reason, options);
  return null;
}

async function consumeOne(message: Message<unknown>, handlers: Handlers, options: ConsumeOptions) {
  const event = await receive(message, options);
  if (!event) return;
  const handler = handlers[event.type] as ((e: Event) => Promise<void>) | undefined;
  if (!handler) {
    // Not subscribed: routing sent it anyway (e.g. a replay); nothing to do.
    message.ack();
    return;
  }
  try {
    await handler(event);
    message.ack();
  } catch (error) {
    console.error(
      JSON.stringify({
        msg: 'handler failed, retrying',
        type: event.type,
        id: event.id,
        attempts: message.attempts,
        error: String(error),
      }),
    );
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

async function deadLetter(message: Message<unknown>, reason: string, options: ConsumeOptions) {
  console.error(JSON.stringify({ msg: 'dead-lettered', queue: options.queue, messageId: message.id, reason }));
  if (!options.deadLetters) {
    message.ack();
    return;
  }
  const letter: DeadLetter = {
    deadLetter: { queue: options.queue ?? 'unknown', reason, attempts: message.attempts, at: new Date().toISOString() },
    body: message.body,
  };
  try {
    await options.deadLetters.send(letter, { contentType: 'json' });
    message.ack();
  } catch {
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}
