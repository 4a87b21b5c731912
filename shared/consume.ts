import { type Event, type EventOf, type EventType, parseEvent } from './events';
import { type Meter, recordConsumed } from './metrics';
import { type HeldAnswers, unpack } from './packet';

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
  /** Answers the handlers sent, held to be sent packed before the batch is acked (`holdAnswers`). */
  answers?: HeldAnswers;
  /** Counts each event's outcome and latency (shared/metrics.ts); flushed once per batch. */
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
 * Handles a queue batch one message at a time, and each message one event at a time: a message
 * holds one event or a packet of them (`shared/packet.ts`). Each event is parsed (old schema
 * versions upcast) and handed to the handler for its type; a message is acked when every event in
 * it is handled, or retried with backoff as a whole (the events already handled are dropped by
 * their consumers' dedup), so one failing message never fails the batch. An invalid event, and
 * after the last attempt each still-failing event, is dead-lettered on its own with its reason.
 */
export async function consume(batch: MessageBatch<unknown>, handlers: Handlers, options: ConsumeOptions = {}) {
  const opts = { queue: batch.queue, ...options };
  const outcomes = await Promise.all(batch.messages.map((message) => handleMessage(message, handlers, opts)));
  try {
    await options.answers?.flush();
  } catch (error) {
    // Answers not sent: the whole batch comes again, and its steps answer again.
    await Promise.all(outcomes.map(({ message }) => retryOrGiveUp(message, error, opts)));
    return;
  }
  await Promise.all(outcomes.map((outcome) => settle(outcome, opts)));
  options.metrics?.count('billable_total', { op: 'invocation' });
  await options.metrics?.flush();
}

/** The events in a message, and the bodies in it that are not valid events, with the reason. */
export function receive(message: Message<unknown>): { events: Event[]; invalid: { body: unknown; reason: string }[] } {
  const events: Event[] = [];
  const invalid: { body: unknown; reason: string }[] = [];
  for (const body of unpack(message.body)) {
    const parsed = parseEvent(body);
    if (parsed.success) events.push(parsed.data);
    else invalid.push({ body, reason: `invalid event: ${parsed.reason}` });
  }
  return { events, invalid };
}

interface Outcome {
  message: Message<unknown>;
  invalid: { body: unknown; reason: string }[];
  failed: { body: unknown; error: unknown }[];
}

async function handleMessage(message: Message<unknown>, handlers: Handlers, options: ConsumeOptions): Promise<Outcome> {
  const start = Date.now();
  const { events, invalid } = receive(message);
  const failed: Outcome['failed'] = [];
  const record = (event: Event | null, outcome: 'handled' | 'ignored' | 'retried' | 'dead-lettered') =>
    options.metrics && recordConsumed(options.metrics, options.queue ?? 'unknown', event, outcome, start);
  await Promise.all(
    events.map(async (event) => {
      // Not subscribed: routing sent it anyway (e.g. a replay); nothing to do.
      const handler = handlers[event.type] as ((e: Event) => Promise<void>) | undefined;
      try {
        await handler?.(event);
        record(event, handler ? 'handled' : 'ignored');
      } catch (error) {
        failed.push({ body: event, error });
        record(event, 'retried');
      }
    }),
  );
  for (const _ of invalid) record(null, 'dead-lettered');
  return { message, invalid, failed };
}

/** Acks a message whose events are all handled; retries it while any failed, dead-lettering them after the last attempt. */
async function settle({ message, invalid, failed }: Outcome, options: ConsumeOptions) {
  const lastAttempt = message.attempts >= (options.maxAttempts ?? MAX_RETRIES + 1);
  if (failed.length > 0 && !lastAttempt) {
    await retryOrGiveUp(message, failed[0]!.error, options);
    return;
  }
  const letters = [
    ...invalid,
    ...failed.map(({ body, error }) => ({ body, reason: `failed ${message.attempts} times; last error: ${String(error)}` })),
  ];
  try {
    for (const { body, reason } of letters) await sendDeadLetter(body, reason, message, options);
    message.ack();
  } catch {
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
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
  try {
    await sendDeadLetter(message.body, reason, message, options);
    message.ack();
  } catch {
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

/**
 * Sends `body` (a message, or one event of a packet) to the dead-letter queue with its reason;
 * throws if the queue does. Without a dead-letter queue it is only logged.
 */
export async function sendDeadLetter(body: unknown, reason: string, message: Message<unknown>, options: ConsumeOptions) {
  console.error(JSON.stringify({ msg: 'dead-lettered', queue: options.queue, messageId: message.id, reason }));
  if (!options.deadLetters) return;
  const letter: DeadLetter = {
    deadLetter: { queue: options.queue ?? 'unknown', reason, attempts: message.attempts, at: new Date().toISOString() },
    body,
  };
  await options.deadLetters.send(letter, { contentType: 'json' });
}
