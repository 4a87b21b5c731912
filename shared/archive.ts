import { AppError } from './errors';
import { type Event, parseEvent } from './events';
import { matches, type Pattern } from './subscriptions';

/** The archive key prefix of an hour: `events/2026/11/28/03/` (every shard's objects are under it). */
export const hourPrefix = (iso: string) => `events/${iso.slice(0, 13).replace(/[-T]/g, '/')}/`;

/**
 * Writes events as NDJSON, one object per hour they occurred in, under the bus shard that carried
 * them (`events/2026/11/28/03/<shard>/…`); readers list an hour's prefix, so they read every shard.
 */
export async function archiveEvents(archive: R2Bucket, events: Event[], shard = 0): Promise<void> {
  const byHour = new Map<string, Event[]>();
  for (const event of events) {
    const prefix = hourPrefix(event.occurredAt);
    byHour.set(prefix, [...(byHour.get(prefix) ?? []), event]);
  }
  await Promise.all(
    [...byHour].map(([prefix, group]) =>
      // A fresh name per write: a retried batch adds a copy (readers take each event once), never overwrites.
      archive.put(
        `${prefix}${shard}/${group[0]!.occurredAt}-${crypto.randomUUID()}.ndjson`,
        `${group.map((e) => JSON.stringify(e)).join('\n')}\n`,
        {
          httpMetadata: { contentType: 'application/x-ndjson' },
        },
      ),
    ),
  );
}

/** The archive's hour prefixes that can hold events of [from, to]. */
export function hourPrefixes(from: Date, to: Date): string[] {
  const prefixes: string[] = [];
  const hour = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), from.getUTCHours()));
  for (; hour <= to; hour.setUTCHours(hour.getUTCHours() + 1)) {
    prefixes.push(hourPrefix(hour.toISOString()));
    if (prefixes.length > 24 * 366)
      throw new AppError({ code: 'range_too_large', message: 'at most a year at a time', status: 413 });
  }
  return prefixes;
}

/**
 * Every archived event under `prefixes`, one archive object at a time, upcast to the current
 * schema; lines that are not valid events are skipped.
 */
export async function* archivedEvents(archive: R2Bucket, prefixes: string[]): AsyncGenerator<Event[]> {
  for (const prefix of prefixes) {
    let cursor: string | undefined;
    do {
      const page = await archive.list({ prefix, cursor });
      for (const object of page.objects) {
        const text = (await (await archive.get(object.key))?.text()) ?? '';
        const events: Event[] = [];
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          const parsed = parseEvent(JSON.parse(line));
          if (parsed.success) events.push(parsed.data);
        }
        yield events;
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}

/** A filter for archived events: a time range and, optionally, event types or patterns. */
export function inRange(from: Date, to: Date, types?: string[]) {
  return (event: Event) => {
    const at = new Date(event.occurredAt);
    return at >= from && at <= to && (!types || types.some((p) => matches(p as Pattern, event.type)));
  };
}
