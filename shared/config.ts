import * as z from 'zod';
import { backoffSeconds } from './consume';
import { AppError } from './errors';
import { SimulatedFaults, simulateFaults } from './simulated-faults';

/** Values that are never a real secret: a template left unfilled, or a placeholder. */
const PLACEHOLDER = /^(undefined|null|none|changeme|change-me|secret|password|todo|x+)$/i;

/**
 * A secret from the environment: set, not a placeholder, at least `minLength` characters, without
 * stray whitespace. Problems name the rule broken, never the value.
 *
 * @example
 * z.object({ CARRIER_WEBHOOK_SECRET: secret(32) })
 */
export function secret(minLength: number) {
  return z.string({ error: 'is not set' }).superRefine((value, ctx) => {
    const problem =
      value.length === 0
        ? 'is empty'
        : PLACEHOLDER.test(value)
          ? 'is a placeholder, not a secret'
          : value !== value.trim()
            ? 'has leading or trailing whitespace'
            : value.length < minLength
              ? `is too short: a secret needs at least ${minLength} characters`
              : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** An optional setting: unset and empty both mean "not configured". */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? undefined : v), schema.optional());

export type Checked<T> = { ok: true; config: T } | { ok: false; problems: string[] };

/** Results per schema, then per environment: one Worker may host code that checks several schemas. */
const checked = new WeakMap<z.ZodType, WeakMap<object, Checked<unknown>>>();

/**
 * A Worker's configuration parsed by `schema`, once per environment object. When it does not
 * hold, one log line names every problem (never a value), and the Worker refuses to serve.
 *
 * @example
 * const result = checkConfig('gateway', GatewayConfig, env);
 * if (!result.ok) return misconfiguredResponse();
 */
export function checkConfig<S extends z.ZodType>(service: string, schema: S, env: object): Checked<z.output<S>> {
  const bySchema = checked.get(schema) ?? new WeakMap<object, Checked<unknown>>();
  checked.set(schema, bySchema);
  const known = bySchema.get(env);
  if (known) return known as Checked<z.output<S>>;
  const parsed = schema.safeParse(env);
  const result: Checked<z.output<S>> = parsed.success
    ? { ok: true, config: parsed.data }
    : { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'configuration'} ${i.message}`) };
  if (!result.ok) {
    console.error(
      JSON.stringify({ msg: `${service} is misconfigured and refuses to serve`, service, problems: result.problems }),
    );
  }
  bySchema.set(env, result);
  return result;
}

/** What a misconfigured Worker answers: the operators know why from the log; callers need not. */
export const misconfigured = () =>
  new AppError({
    code: 'misconfigured',
    message: 'this service is not configured correctly and refuses to serve; its operators can see why in the log',
    status: 503,
  });

/** The configuration, or a thrown 503 `misconfigured` (see {@link checkConfig}). */
export function requireConfig<S extends z.ZodType>(service: string, schema: S, env: object): z.output<S> {
  const result = checkConfig(service, schema, env);
  if (!result.ok) throw misconfigured();
  return result.config;
}

/**
 * Wraps a Worker's default export so that it refuses to serve while its configuration does not
 * hold: `fetch` answers 503 `misconfigured`, and a queue batch is retried later, so no message is
 * handled with a bad configuration and none is lost. (RPC entrypoints call {@link requireConfig}.)
 *
 * It is also where a consumer simulates the bench-only faults (`shared/simulated-faults.ts`):
 * while down it fails every message, retried with the consumers' backoff (1 s, 2 s, 4 s …, then the
 * queue's dead-letter queue, as any failing message); otherwise each batch waits the simulated
 * latency before it is handled.
 *
 * @example
 * export default failClosed('notifications', NotificationsConfig, { fetch: app.fetch, queue }) satisfies ExportedHandler<Env>;
 */
export function failClosed<H extends ExportedHandler<never>>(service: string, schema: z.ZodType, handler: H): H {
  const { fetch, queue } = handler;
  const holds = (env: object) => checkConfig(service, schema, env).ok && faultsOf(service, env).ok;
  const guarded: ExportedHandler<never> = {
    ...(fetch && {
      fetch: (request, env, ctx) =>
        holds(env)
          ? fetch(request, env, ctx)
          : Response.json({ error: { code: 'misconfigured', message: misconfigured().message } }, { status: 503 }),
    }),
    ...(queue && {
      queue: async (batch, env, ctx) => {
        const faults = faultsOf(service, env);
        if (!checkConfig(service, schema, env).ok || !faults.ok) {
          batch.retryAll({ delaySeconds: RETRY_MISCONFIGURED_SECONDS });
          return;
        }
        try {
          await simulateFaults(service, faults.config);
        } catch (error) {
          // Down: every message fails, as when a handler's dependency does not answer.
          console.error(JSON.stringify({ msg: 'handler failed, retrying', queue: batch.queue, error: String(error) }));
          for (const message of batch.messages) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
          return;
        }
        return queue(batch, env, ctx);
      },
    }),
  };
  // The guarded handlers take exactly the arguments of the ones they wrap.
  return { ...handler, ...guarded } as H;
}

const simulating = new WeakSet<object>();

/** The bench-only faults `env` asks for, checked like the rest of the configuration; said once in the log when set. */
function faultsOf(service: string, env: object): Checked<SimulatedFaults> {
  const result = checkConfig(service, SimulatedFaults, env);
  if (result.ok && (result.config.latencyMs > 0 || result.config.down) && !simulating.has(env)) {
    simulating.add(env);
    console.warn(JSON.stringify({ msg: `${service} simulates faults (bench only)`, service, ...result.config }));
  }
  return result;
}

/** How long a misconfigured Worker's queue messages wait before they are tried again. */
export const RETRY_MISCONFIGURED_SECONDS = 60;
