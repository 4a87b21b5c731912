import type { MiddlewareHandler } from 'hono';
import type { BusLag } from '../../shared/rpc';
import { type AppEnv, executionContext, services } from './context';
import { errorResponse } from './errors';

export interface AdmissionOptions {
  /** Refuse new work while the measured lag is above this (ms). */
  maxLagMs: (env: Env) => number;
  /** How old a reading may get before it is asked for again, behind the answer (ms); 1 s by default. */
  cacheMs?: number;
  /**
   * A reading older than this (ms) is no evidence of lag: the router writes one a second while
   * anything moves, so an old one means nothing is in flight. 5 s by default; much longer keeps
   * refusing after the backlog has drained (measured: 30 s refused 25 s of a drained system).
   */
  staleMs?: number;
}

/** How long a call for the routers' lag may take; one that takes longer is an unknown lag (admits). */
export const LAG_TIMEOUT_MS = 2_000;

/**
 * The routers' lag readings as one isolate last asked for them. A request never waits for a
 * reading it already has: once one is `cacheMs` old it is asked for again behind the answer
 * (`waitUntil`), so at most one request per `cacheMs` starts a call, and none waits on it. Only a
 * request that finds no reading, or one older than `staleMs`, waits for a fresh one.
 */
class LagReadings {
  private reading: { lags: BusLag[]; readAt: number } | undefined;
  private asking: Promise<void> | undefined;

  constructor(
    private readonly cacheMs: number,
    private readonly staleMs: number,
  ) {}

  /**
   * The worst lag the last reading shows. A shard's lag counts if it was measured less than
   * `staleMs` before the reading was taken: judged against the reading's time, not now, so a reading
   * kept while a new one is asked for never loses its evidence by aging (a slow router, likely under
   * overload, must not make the lag read 0).
   */
  async worst(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<number> {
    const age = this.reading ? Date.now() - this.reading.readAt : Number.POSITIVE_INFINITY;
    if (age >= this.staleMs) await this.ask(env);
    else if (age >= this.cacheMs) waitUntil(this.ask(env));
    return this.reading ? worstLag(this.reading.lags, this.staleMs, this.reading.readAt) : 0;
  }

  /** Asks the routers once, however many requests want a reading meanwhile. */
  private ask(env: Env): Promise<void> {
    this.asking ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${LAG_TIMEOUT_MS} ms`)), LAG_TIMEOUT_MS);
      });
      const answer = await Promise.race([services(env).router.lag(), late]).finally(
        () => timer !== undefined && clearTimeout(timer),
      );
      // (A router of the release before answers one reading, not a list: unknown, so admitted.)
      this.reading = { lags: answer.ok && Array.isArray(answer.value) ? answer.value : [], readAt: Date.now() };
    })()
      .catch((error) => {
        // Unknown lag admits, and is not asked again before the next reading is due.
        this.reading = { lags: [], readAt: Date.now() };
        console.error(JSON.stringify({ msg: 'lag unknown; admitting', error: String(error) }));
      })
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }
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
  const staleMs = options.staleMs ?? 5_000;
  const readings = new LagReadings(options.cacheMs ?? 1_000, staleMs);
  return async function admission(c, next) {
    // Without an execution context (tests), the call still runs; nothing need keep it alive.
    const lagMs = await readings.worst(c.env, (p) => executionContext(c)?.waitUntil(p));
    const max = options.maxLagMs(c.env);
    if (lagMs > max) {
      const seconds = Math.min(60, Math.max(1, Math.ceil((lagMs - max) / 1000)));
      c.header('Retry-After', String(seconds));
      return errorResponse(c, 503, 'overloaded', `orders are ${Math.round(lagMs / 1000)} s behind; try again in ${seconds} s`);
    }
    await next();
  };
}
