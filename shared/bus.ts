import * as z from 'zod';
import { sendPacked, unpack } from './packet';
import { busBinding, busQueue, busShardOf, MAX_BUS_SHARDS } from './queue-names';
import { shardOf } from './shard';

/**
 * The bus, sharded by order: N queues (`conveyor-bus`, `conveyor-bus-1` … `conveyor-bus-{N-1}`),
 * bound by every publisher as `BUS`, `BUS_1` … `BUS_{N-1}`, each consumed by its own router. A
 * publisher sends each event to the shard of its subject (an order's events all name the order),
 * so all of one order's events travel one queue and meet one router. Shard 0 keeps the name the
 * unsharded bus always had, so a deploy that grows N leaves it where it is. Consumers never learn
 * the shard: packets, per-event dedup and per-message acks are per queue, and an event on another
 * shard than its order's (while N changes) is still handled once.
 *
 * N is the number of `BUS…` bindings a Worker has; `npm run deploy` generates them from the
 * router's `BUS_SHARDS` (scripts/shards.ts), and locally N is 1 unless `BUS_SHARDS` says otherwise.
 */

export { busBinding, busQueue, busShardOf, MAX_BUS_SHARDS };

/** The bus shard bindings of an environment, in shard order: `BUS`, then `BUS_1`, `BUS_2` … while they last. */
export function busShards(env: object): Queue[] {
  const bindings = env as Record<string, Queue | undefined>;
  const shards: Queue[] = [];
  for (let shard = 0; shard < MAX_BUS_SHARDS && bindings[busBinding(shard)]; shard++) shards.push(bindings[busBinding(shard)]!);
  return shards;
}

/**
 * A check of an environment's bindings, to be joined to a Worker's settings (`.and(…)`): it adds
 * no settings, and reports its problems alongside theirs.
 */
export function bindingCheck(check: (env: Record<string, unknown>, problem: (binding: string, message: string) => void) => void) {
  return z
    .preprocess(
      // The environment under a key of its own, so what the settings parsed is never merged with it.
      (env) => ({ bindings: env }),
      z
        .object({ bindings: z.custom<Record<string, unknown>>() })
        .superRefine(({ bindings }, ctx) =>
          check(bindings ?? {}, (binding, message) => ctx.addIssue({ code: 'custom', path: [binding], message })),
        ),
    )
    .transform(() => ({}));
}

/**
 * Checks a publisher's bus bindings: `BUS`, and no `BUS_i` without every shard below it (a gap
 * would leave the shards after it unused by this Worker, and its events routed to another shard
 * than every other publisher's).
 *
 * @example
 * export const OrdersConfig = z.object({ … }).and(BusBindings);
 */
export const BusBindings = bindingCheck((env, problem) => {
  if (!env.BUS) problem('BUS', 'is not bound: every publisher binds the bus');
  const n = busShards(env).length;
  for (const name of Object.keys(env)) {
    const shard = /^BUS_(\d+)$/.exec(name);
    if (shard && Number(shard[1]) >= n) problem(name, `is bound, but bus shard ${n} (${busBinding(n)}) is not`);
  }
});

/**
 * The bus as one queue: `send` and `sendBatch` take events or packets of them, and send each
 * event to the shard of its subject, packed per shard (one message per shard a send touches).
 *
 * @example
 * new Outbox(ctx.storage, bus(env))
 */
export function bus(env: object): Queue {
  const shards = busShards(env);
  if (shards.length <= 1) return shards[0] ?? missingBus();
  const route = async (bodies: unknown[]) => {
    const byShard = new Map<number, unknown[]>();
    for (const event of bodies.flatMap(unpack)) {
      const shard = shardOfEvent(event, shards.length);
      const list = byShard.get(shard);
      if (list) list.push(event);
      else byShard.set(shard, [event]);
    }
    await Promise.all([...byShard].map(([shard, events]) => sendPacked(shards[shard]!, events)));
  };
  const sharded = {
    send: (body: unknown) => route([body]),
    sendBatch: (messages: Iterable<MessageSendRequest>) => route([...messages].map((m) => m.body)),
  };
  return sharded as unknown as Queue;
}

/** The shard of an event among `n`: its subject's (an order's events name the order); a body without one goes to shard 0. */
export function shardOfEvent(event: unknown, n: number): number {
  const subject = (event as { subject?: unknown } | null)?.subject;
  return typeof subject === 'string' ? shardOf(subject, n) : 0;
}

function missingBus(): never {
  throw new Error('no bus bound (BUS)');
}
