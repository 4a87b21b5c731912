import type { BusLag } from '../../shared/rpc';

/**
 * The lag a routed batch shows: the longest any of its messages waited on the bus since it was
 * sent. Only first deliveries count: a retried message carries its first send time, so its age is
 * its backoff, not a backlog. (placed → confirmed was measured too and dropped: one order waiting
 * on a slow payment provider refused every customer; the system tests showed it.)
 */
export function lagOf(messages: readonly Message<unknown>[], now = Date.now()): number {
  let lag = 0;
  for (const m of messages) if (m.attempts <= 1) lag = Math.max(lag, now - m.timestamp.getTime());
  return Math.max(0, Math.round(lag));
}

/** Writes at most once a second per isolate and shard (the worst lag seen since), so measuring costs a row a second, not a row a batch. */
const WRITE_EVERY_MS = 1_000;
const windows = new Map<number, { worst: number; since: number }>();

/** Records a batch's lag on bus shard `shard`; the worst of each second is written, one row per shard. */
export async function recordLag(db: D1Database, shard: number, lagMs: number, now = Date.now()): Promise<void> {
  const window = windows.get(shard) ?? { worst: 0, since: 0 };
  window.worst = Math.max(window.worst, lagMs);
  windows.set(shard, window);
  if (now - window.since < WRITE_EVERY_MS) return;
  const worst = window.worst;
  windows.set(shard, { worst: 0, since: now });
  await db
    .prepare(
      `INSERT INTO bus_lag (shard, lag_ms, measured_at) VALUES (?, ?, ?)
       ON CONFLICT (shard) DO UPDATE SET lag_ms = excluded.lag_ms, measured_at = excluded.measured_at`,
    )
    .bind(shard, worst, new Date(now).toISOString())
    .run();
}

/** The lag each bus shard last measured (none before the first batch). */
export async function readLag(db: D1Database): Promise<BusLag[]> {
  const { results } = await db
    .prepare('SELECT shard, lag_ms, measured_at FROM bus_lag ORDER BY shard')
    .all<{ shard: number; lag_ms: number; measured_at: string }>();
  return results.map((r) => ({ shard: r.shard, lagMs: r.lag_ms, measuredAt: r.measured_at }));
}
