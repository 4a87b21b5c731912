// Bench-only faults a service can be told to simulate: a slower service, and an outage. They let
// `npm run bench -- --compare` put the event-driven path and a synchronous chain under the same
// conditions. No wrangler.toml sets them; unset, they cost a cached check per invocation.
import * as z from 'zod';

const unset = (v: unknown) => (v === '' || v === undefined ? undefined : v);

const INTERVAL_EXAMPLE = '2026-11-28T10:00:00Z/2026-11-28T10:00:30Z';
const Instant = z.iso.datetime({ offset: true });

/** An ISO 8601 interval of two instants, `<start>/<end>`, as epoch ms. */
const Interval = z.string().transform((text, ctx) => {
  const [from, until, ...rest] = text.split('/');
  if (rest.length > 0 || !Instant.safeParse(from).success || !Instant.safeParse(until).success) {
    ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 interval <start>/<end> such as ${INTERVAL_EXAMPLE}` });
    return z.NEVER;
  }
  const interval = { from: Date.parse(from!), until: Date.parse(until!) };
  if (interval.until <= interval.from) {
    ctx.addIssue({ code: 'custom', message: 'must end after it starts' });
    return z.NEVER;
  }
  return interval;
});

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
  /**
   * While the clock is in this ISO 8601 interval (`<start>/<end>`) the service is down: a consumer
   * fails every message, which its queue retries with backoff, and handles them once it is over.
   */
  SIMULATED_OUTAGE: z.preprocess(unset, Interval.optional()),
});

export interface SimulatedFaults {
  latencyMs: number;
  /** When the service is down, in epoch ms (from inclusive, until exclusive); null when never. */
  down: { from: number; until: number } | null;
}

export const toFaults = (vars: z.output<typeof SimulatedFaultsVars>): SimulatedFaults => ({
  latencyMs: vars.SIMULATED_LATENCY_MS ?? 0,
  down: vars.SIMULATED_OUTAGE ?? null,
});

/**
 * The faults a Worker's environment asks for; a bad value is a config problem like any other (the
 * Worker refuses to serve, see `failClosed`).
 *
 * @example
 * SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '50' }) // { latencyMs: 50, down: null }
 */
export const SimulatedFaults = SimulatedFaultsVars.transform(toFaults);

export const noFaults: SimulatedFaults = { latencyMs: 0, down: null };

export const isDown = ({ down }: SimulatedFaults, now = Date.now()) => down !== null && down.from <= now && now < down.until;

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
  if (isDown(faults, now)) throw new SimulatedOutage(service, faults.down!.until);
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
}
