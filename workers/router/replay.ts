import { archivedEvents, hourPrefixes, inRange } from '../../shared/archive';
import { AppError } from '../../shared/errors';
import type { Event } from '../../shared/events';
import { sendPacked } from '../../shared/packet';
import type { Subscriber } from '../../shared/subscriptions';
import { fanOut, type Inboxes } from './route';

/** A replay larger than this is refused: narrow the range or the types. */
export const MAX_REPLAY_EVENTS = 20_000;

export interface ReplayRequest {
  from: string;
  to: string;
  types?: string[];
  subscribers?: Subscriber[];
}

/** Every archived event in [from, to] of the given types, oldest first, each once. */
export async function readArchive(archive: R2Bucket, request: Pick<ReplayRequest, 'from' | 'to' | 'types'>): Promise<Event[]> {
  const from = new Date(request.from);
  const to = new Date(request.to);
  const wanted = inRange(from, to, request.types);
  // An event routed twice (a retried batch) is archived twice; replay it once.
  const unique = new Map<string, Event>();
  for await (const events of archivedEvents(archive, hourPrefixes(from, to))) {
    for (const event of events.filter(wanted)) unique.set(event.id, event);
    if (unique.size > MAX_REPLAY_EVENTS) {
      throw new AppError({
        code: 'replay_too_large',
        message: `more than ${MAX_REPLAY_EVENTS} events; narrow the range or types`,
        status: 413,
      });
    }
  }
  return [...unique.values()].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}

/**
 * Sends archived events again: each to the chosen subscribers that subscribe to it (all of its
 * subscribers by default). Consumers dedup by event id, so replaying twice is harmless.
 */
export async function replay(archive: R2Bucket, inboxes: Inboxes, request: ReplayRequest) {
  const events = await readArchive(archive, request);
  const sent: Partial<Record<Subscriber, number>> = {};
  for (const [subscriber, list] of fanOut(events, (e) => e, request.subscribers)) {
    await sendPacked(inboxes[subscriber], list);
    sent[subscriber] = list.length;
  }
  return { events: events.length, sent };
}
