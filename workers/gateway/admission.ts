import type { MiddlewareHandler } from 'hono';
import type { BusLag } from '../../shared/rpc';
import { type AppEnv, services } from './context';
import { errorResponse } from './errors';

export interface AdmissionOptions {
  /** Refuse new work while the measured lag is above this (ms). */
  maxLagMs: (env: Env) => number;
  /** How long one isolate trusts a reading before asking again (ms); 1 s by default. */
  cacheMs?: number;
  /**
   * A reading older than this (ms) is no evidence of lag: the router writes one a second while
   * anything moves, so an old one means nothing is in flight. 5 s by default; much longer keeps
   * refusing after the backlog has drained (measured: 30 s refused 25 s of a drained system).
   */
  staleMs?: number;
}

let reading: { lags: BusLag[]; readAt: number } | undefined;
let asking: Promise<void> | undefined;

/** Every bus shard's lag as last read; asked again once the reading is `cacheMs` old. */
async function lags(env: Env, cacheMs: number): Promise<BusLag[]> {
  if (!reading || Date.now() - reading.readAt >= cacheMs) {
    asking ??= (async () => {
      const answer = await services(env).router.lag();
      // (A router of the release before answers one reading, not a list: unknown, so admitted.)
      reading = { lags: answer.ok && Array.isArray(answer.value) ? answer.value : [], readAt: Date.now() };
    })()
      .catch((error) => {
        // Unknown lag admits, and is not asked again before the next reading is due.
        reading = { lags: [], readAt: Date.now() };
        console.error(JSON.stringify({ msg: 'lag unknown; admitting', error: String(error) }));
      })
      .finally(() => {
        asking = undefined;
      });
    await asking;
  }
  return reading?.lags ?? [];
}

/** The worst lag among the shards' readings that are recent enough to be evidence (0 when none is). */
export function worstLag(readings: readonly BusLag[], staleMs: number, now = Date.now()): number {
  let worst = 0;
  for (const r of readings) if (now - Date.parse(r.measuredAt) < staleMs) worst = Math.max(worst, r.lagMs);
  return worst;
}

/**
 * Admission control: answers 503 with `Retry-After` while the platform runs further behind than
 * `maxLagMs` (as the routers measure it: the longest an event waited on the worst bus shard), so what is
 * accepted still finishes in bounded time instead of queueing without end. Unknown lag admits.
 *
 * @example
 * app.on('POST', '/v1/orders', admission({ maxLagMs: (env) => Number(env.ADMISSION_MAX_LAG_MS) }))
 */
export function admission(options: AdmissionOptions): MiddlewareHandler<AppEnv> {
  const cacheMs = options.cacheMs ?? 1_000;
  const staleMs = options.staleMs ?? 5_000;
  return async function admission(c, next) {
    const lagMs = worstLag(await lags(c.env, cacheMs), staleMs);
    const max = options.maxLagMs(c.env);
    if (lagMs > max) {
      const seconds = Math.min(60, Math.max(1, Math.ceil((lagMs - max) / 1000)));
      c.header('Retry-After', String(seconds));
      return errorResponse(c, 503, 'overloaded', `orders are ${Math.round(lagMs / 1000)} s behind; try again in ${seconds} s`);
    }
    await next();
  };
}
