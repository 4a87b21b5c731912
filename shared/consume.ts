import { type Event, type EventOf, type EventType, parseEvent } from './events';
import { type Meter, recordConsumed } from './metrics';

export type Handlers = { [T in EventType]?: (event: EventOf<T>) => Promise<void> };

/**
 * Retries of every event consumer: the `max_retries` of each inbox in its wrangler.toml (a test
 * keeps them equal). After the last attempt a failing message is dead-lettered with its error.
 */
export const MAX_RETRIES = 5;

export interface ConsumeOptions {
  /** The dead-letter queue of the queue being consumed. */
  deadLetters?: Queue;
  /** The queue being consumed, named in dead letters. */
  queue?: string;
  /** Attempts before a failing message is dead-lettered; MAX_RETRIES + 1 by default. */
  maxAttempts?: number;
  /** Counts each message's outcome and latency (shared/metrics.ts); flushed once per batch. */
  metrics?: Meter;
}

/** The body of a message in a dead-letter queue: where it came from, why, and the message itself. */
export interface DeadLetter {
  deadLetter: { queue: string; reason: string; attempts: number; at: string };
  body: unknown;
}

/** Retry delay for the n-th attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1));
}

/**
 * Handles a queue batch one message at a time: each message is parsed as an event (old schema
 * versions upcast), handed to the handler for its type, and acked or retried on its own, so one
 * failure never fails the batch. An invalid message is dead-lettered at once with its reason; a
 * thrown error is retried with backoff, and dead-lettered with that error after the last attempt.
 */
export async function consume(batch: MessageBatch<unknown>, handlers: Handlers, options: ConsumeOptions = {}) {
  await Promise.all(batch.messages.map((message) => consumeOne(message, handlers, { queue: batch.queue, ...options })));
  options.metrics?.count('billable_total', { op: 'invocation' });
  await options.metrics?.flush();
}

/**
 * The event in a message, or null when it is not a valid event; then the message has been
 * dead-lettered with the reason (or retried, if even that failed).
 */
export async function receive(message: Message<unknown>, options: ConsumeOptions): Promise<Event | null> {
  const parsed = parseEvent(message.body);
  if (parsed.success) return parsed.data;
  await deadLetter(message, `invalid event: ${parsed.reason}`, options);
  return null;
}

async function consumeOne(message: Message<unknown>, handlers: Handlers, options: ConsumeOptions) {
  const start = Date.now();
  const event = await receive(message, options);
  const outcome = event ? await handle(message, event, handlers, options) : 'dead-lettered';
  if (options.metrics) recordConsumed(options.metrics, options.queue ?? 'unknown', event, outcome, start);
}

async function handle(message: Message<unknown>, event: Event, handlers: Handlers, options: ConsumeOptions) {
  const handler = handlers[event.type] as ((e: Event) => Promise<void>) | undefined;
  if (!handler) {
    // Not subscribed: routing sent it anyway (e.g. a replay); nothing to do.
    message.ack();
    return 'ignored';
  }
  try {
    await handler(event);
    message.ack();
    return 'handled';
  } catch (error) {
    return retryOrGiveUp(message, error, options);
  }
}

/**
 * Retries a failed message with backoff, or dead-letters it with the error once its attempts are
 * spent; answers which.
 */
export async function retryOrGiveUp(
  message: Message<unknown>,
  error: unknown,
  options: ConsumeOptions,
): Promise<'retried' | 'dead-lettered'> {
  if (message.attempts >= (options.maxAttempts ?? MAX_RETRIES + 1)) {
    await deadLetter(message, `failed ${message.attempts} times; last error: ${String(error)}`, options);
    return 'dead-lettered';
  }
  const log = { queue: options.queue, messageId: message.id, attempts: message.attempts, error: String(error) };
  console.error(JSON.stringify({ msg: 'handler failed, retrying', ...log }));
  message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  return 'retried';
}

/** Sends a message to the dead-letter queue with its reason, then acks it. */
export async function deadLetter(message: Message<unknown>, reason: string, options: ConsumeOptions) {
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
