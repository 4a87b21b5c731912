import type { MiddlewareHandler } from 'hono';
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

let reading: { lagMs: number; measuredAt: number; readAt: number } | undefined;
let asking: Promise<void> | undefined;

async function lag(env: Env, cacheMs: number): Promise<{ lagMs: number; measuredAt: number }> {
  if (!reading || Date.now() - reading.readAt > cacheMs) {
    asking ??= (async () => {
      const answer = await services(env).router.lag();
      const lag = answer.ok ? answer.value : null;
      reading = { lagMs: lag?.lagMs ?? 0, measuredAt: lag ? Date.parse(lag.measuredAt) : 0, readAt: Date.now() };
    })()
      .catch((error) => {
        // Unknown lag admits, and is not asked again before the next reading is due.
        reading = { lagMs: 0, measuredAt: 0, readAt: Date.now() };
        console.error(JSON.stringify({ msg: 'lag unknown; admitting', error: String(error) }));
      })
      .finally(() => {
        asking = undefined;
      });
    await asking;
  }
  return reading ?? { lagMs: 0, measuredAt: 0 };
}

/**
 * Admission control: answers 503 with `Retry-After` while the platform runs further behind than
 * `maxLagMs` (as the router measures it: the longest an event waited on the bus), so what is
 * accepted still finishes in bounded time instead of queueing without end. Unknown lag admits.
 *
 * @example
 * app.on('POST', '/v1/orders', admission({ maxLagMs: (env) => Number(env.ADMISSION_MAX_LAG_MS) }))
 */
export function admission(options: AdmissionOptions): MiddlewareHandler<AppEnv> {
  const cacheMs = options.cacheMs ?? 1_000;
  const staleMs = options.staleMs ?? 5_000;
  return async function admission(c, next) {
    const { lagMs, measuredAt } = await lag(c.env, cacheMs);
    const max = options.maxLagMs(c.env);
    if (lagMs > max && Date.now() - measuredAt < staleMs) {
      const seconds = Math.min(60, Math.max(1, Math.ceil((lagMs - max) / 1000)));
      c.header('Retry-After', String(seconds));
      return errorResponse(c, 503, 'overloaded', `orders are ${Math.round(lagMs / 1000)} s behind; try again in ${seconds} s`);
    }
    await next();
  };
}
