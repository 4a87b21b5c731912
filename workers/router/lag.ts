/** How far behind the platform runs, and when that was measured. */
export interface Lag {
  lagMs: number;
  measuredAt: string;
}

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

/** Writes at most once a second per isolate (the worst lag seen since), so measuring costs a row a second, not a row a batch. */
const WRITE_EVERY_MS = 1_000;
let window = { worst: 0, since: 0 };

/** Records a batch's lag; the worst of each second is written. */
export async function recordLag(db: D1Database, lagMs: number, now = Date.now()): Promise<void> {
  window.worst = Math.max(window.worst, lagMs);
  if (now - window.since < WRITE_EVERY_MS) return;
  const worst = window.worst;
  window = { worst: 0, since: now };
  await db
    .prepare(
      `INSERT INTO lag (id, lag_ms, measured_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET lag_ms = excluded.lag_ms, measured_at = excluded.measured_at`,
    )
    .bind(worst, new Date(now).toISOString())
    .run();
}

/** The lag last measured, or null before the first. */
export async function readLag(db: D1Database): Promise<Lag | null> {
  const row = await db
    .prepare('SELECT lag_ms, measured_at FROM lag WHERE id = 1')
    .first<{ lag_ms: number; measured_at: string }>();
  return row ? { lagMs: row.lag_ms, measuredAt: row.measured_at } : null;
}
