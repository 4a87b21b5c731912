// Bench-only faults a service can be told to simulate: a slower service, and an outage. They let
// `npm run bench -- --compare` put the event-driven path and a synchronous chain under the same
// conditions. No wrangler.toml sets them; unset, they cost one config check per invocation.
import * as z from 'zod';

const unset = (v: unknown) => (v === '' || v === undefined ? undefined : v);

/** The vars, as a Worker's environment carries them; {@link SimulatedFaults} is what they mean. */
export const SimulatedFaultsVars = z.object({
  /** Every batch a consumer handles waits this long first, as if each event's work took that much longer. */
  SIMULATED_LATENCY_MS: z.preprocess(
    unset,
    z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int({ error: 'must be a whole number of milliseconds' })
      .min(0, { error: 'must not be negative' })
      .max(10_000, { error: 'must be at most 10000 (10 s)' })
      .optional(),
  ),
  /** Until this instant the service is down: it fails every message, which its queue retries with backoff. */
  SIMULATED_OUTAGE_UNTIL: z.preprocess(
    unset,
    z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant such as 2026-11-28T10:00:00Z' }).optional(),
  ),
});

export interface SimulatedFaults {
  latencyMs: number;
  /** Epoch ms; 0 when the service is never down. */
  downUntil: number;
}

export const toFaults = (vars: z.output<typeof SimulatedFaultsVars>): SimulatedFaults => ({
  latencyMs: vars.SIMULATED_LATENCY_MS ?? 0,
  downUntil: vars.SIMULATED_OUTAGE_UNTIL ? Date.parse(vars.SIMULATED_OUTAGE_UNTIL) : 0,
});

/**
 * The faults a Worker's environment asks for; a bad value is a config problem like any other (the
 * Worker refuses to serve, see `failClosed`).
 *
 * @example
 * SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '50' }) // { latencyMs: 50, downUntil: 0 }
 */
export const SimulatedFaults = SimulatedFaultsVars.transform(toFaults);

export const noFaults: SimulatedFaults = { latencyMs: 0, downUntil: 0 };

export const isDown = (faults: SimulatedFaults, now = Date.now()) => now < faults.downUntil;

/** What a call to a service that is down fails with. */
export class SimulatedOutage extends Error {
  constructor(
    readonly service: string,
    until: number,
  ) {
    super(`${service} is down (simulated outage until ${new Date(until).toISOString()})`);
    this.name = 'SimulatedOutage';
  }
}

/**
 * One call of `service` under its faults: fails at once while it is down (as a refused connection
 * does), otherwise waits the simulated latency.
 */
export async function simulateFaults(service: string, faults: SimulatedFaults, now = Date.now()): Promise<void> {
  if (isDown(faults, now)) throw new SimulatedOutage(service, faults.downUntil);
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
}
