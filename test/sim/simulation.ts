// Drives the world (world.ts) through a schedule of choices, then lets it settle and checks the
// invariants. A schedule is a list of numbers, so fast-check can generate and shrink it.
import fc from 'fast-check';
import type { Subscriber } from '../../shared/subscriptions';
import { subscribers } from '../../shared/subscriptions';
import type { OrderState } from '../../workers/orders/order';
import { type Delivery, describe, type ProviderMode, SAGA, type Violation, World, type WorldOptions } from './world';

/** How the shop looks: a few SKUs with few units, and more orders for them than they can serve. */
export const shapes: fc.Arbitrary<WorldOptions> = fc
  .record({
    skus: fc.uniqueArray(fc.constantFrom('MUG', 'TEE', 'CAP'), { minLength: 1, maxLength: 3 }),
    units: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
    // A hot SKU's stock split into buckets (workers/inventory/buckets.ts), with more units to spread.
    buckets: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
    orders: fc.array(
      fc.record({
        lines: fc.array(fc.record({ pick: fc.nat(2), quantity: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 2 }),
        declined: fc.boolean(),
        at: fc.nat(20),
      }),
      { minLength: 2, maxLength: 6 },
    ),
  })
  .map(({ skus, units, buckets, orders }) => ({
    skus: Object.fromEntries(skus.map((s, i) => [s, units[i]! * buckets[i]!])),
    buckets: Object.fromEntries(skus.map((s, i) => [s, buckets[i]!])),
    orders: orders.map((o) => ({
      // One line per SKU: an order names a SKU at most once.
      lines: [...new Map(o.lines.map((l) => [skus[l.pick % skus.length]!, l.quantity])).entries()].map(([sku, quantity]) => ({
        sku,
        quantity,
      })),
      token: o.declined ? 'tok_chargeDeclined' : 'tok_visa',
      at: o.at,
    })),
  }));

export const schedules = fc.array(fc.nat({ max: 1 << 20 }), { minLength: 20, maxLength: 300, size: 'max' });

const MODES: ProviderMode[] = ['up', 'flaky', 'down', 'lossy'];
const DELIVERIES: Delivery[] = ['answered', 'died', 'answer-lost'];

/** Runs one schedule: faults while it lasts, then calm until every order settles (or time runs out). */
export function simulate(options: WorldOptions, choices: readonly number[]): World {
  const world = new World(options);
  let placed = 0;
  const pick = <T>(list: readonly T[], n: number): [number, T | undefined] => {
    const i = list.length ? n % list.length : 0;
    return [i, list[i]];
  };
  for (const c of choices) {
    const kind = c % 16;
    const arg = Math.floor(c / 16);
    const [qi, message] = pick(world.queues, arg);
    switch (kind) {
      case 11:
        if (placed < options.orders.length) {
          world.note(`place order ${placed}`);
          world.place(placed++);
        }
        break;
      case 6:
        if (message) {
          world.note(`deliver ${describe(message)}, crash after ${arg % 3} calls`);
          world.deliver(qi, arg % 3);
        }
        break;
      case 7:
        if (message) {
          world.note(`deliver ${describe(message)}, crash after commit before send`);
          world.deliver(qi, Number.POSITIVE_INFINITY, true);
        }
        break;
      case 8:
        if (message) {
          world.note(`duplicate ${describe(message)}`);
          world.duplicate(qi);
        }
        break;
      case 9:
        if (message) {
          world.note(`dead-letter ${describe(message)}`);
          world.deadLetter(qi);
        }
        break;
      case 10: {
        const [di, letter] = pick(world.deadLetters, arg);
        if (letter) {
          world.note(`redrive ${describe(letter)}`);
          world.redrive(di);
        }
        break;
      }
      case 12: {
        const [, order] = pick(world.orderIds, arg);
        if (order) {
          world.note(`customer cancels ${order.slice(0, 8)}`);
          world.cancel(order);
        }
        break;
      }
      case 13: {
        const [, order] = pick(world.orderIds, arg);
        const status = (arg >> 3) % 2 ? 'delivered' : 'dispatched';
        if (order) {
          world.note(`carrier: ${order.slice(0, 8)} ${status}`);
          world.carrier(order, status, `wh-${order}-${(arg >> 4) % 3}`, (arg >> 6) % 4 === 0);
        }
        break;
      }
      case 14: {
        const from = world.archive.length ? arg % world.archive.length : 0;
        const to = from + 1 + ((arg >> 5) % 12);
        const only = (arg >> 9) % 2 ? [subscribers[(arg >> 10) % subscribers.length] as Subscriber] : undefined;
        world.note(`replay archive[${from}..${to}) to ${only?.join(',') ?? 'everyone'}`);
        world.replay(from, to, only);
        break;
      }
      case 5: {
        // A bucket of a split SKU asked to send spare units to another, at any moment (the consumer
        // asks when a line's own bucket was short; here also when it is not).
        const [, sku] = pick(Object.keys(options.skus), arg);
        const { buckets } = world.splitOf(sku!);
        const from = (arg >> 3) % buckets;
        const to = (from + 1 + ((arg >> 6) % Math.max(1, buckets - 1))) % buckets;
        if (buckets > 1) {
          const delivery = DELIVERIES[(arg >> 9) % DELIVERIES.length]!;
          world.note(`${sku}#${from} sends spare units to #${to} (${delivery})`);
          world.rebalance(sku!, from, to, delivery);
        } else if (message) {
          world.note(`deliver ${describe(message)}`);
          world.deliver(qi);
        }
        break;
      }
      case 15:
        if (arg % 4 === 0) {
          world.providerMode = MODES[(arg >> 2) % MODES.length]!;
          world.note(`provider ${world.providerMode}`);
        } else {
          const at = Math.min(world.nextAlarm(), world.now + 1_000 * (1 + (arg % 120)));
          world.note(`time → +${Math.round((at - world.now) / 1000)} s`);
          world.advance(at);
        }
        break;
      default:
        if (message) {
          world.note(`deliver ${describe(message)}`);
          world.deliver(qi);
        }
    }
  }
  settle(world, () => {
    while (placed < options.orders.length) world.place(placed++);
  });
  return world;
}

/** No more faults: the provider answers, queues deliver, alarms ring, until nothing is left to do. */
function settle(world: World, placeTheRest: () => void) {
  world.note('— calm: no more faults —');
  world.providerMode = 'up';
  placeTheRest();
  const horizon = world.now + 14 * 24 * 3600_000;
  for (let i = 0; i < 50_000; i++) {
    if (world.queues.length > 0) {
      world.deliver(0);
      continue;
    }
    const next = world.nextAlarm();
    if (!Number.isFinite(next) || next > horizon) return;
    world.advance(next);
  }
}

const placedState = (world: World, id: string): OrderState | null => {
  const s = world.orders.get(id)?.state;
  return s && s.status !== 'empty' ? s : null;
};

/** Every invariant the platform promises; each violation names the invariant and what broke it. */
export function check(world: World): Violation[] {
  const v: Violation[] = [...world.violations];
  const bad = (invariant: string, detail: string) => v.push({ invariant, detail });

  // Stock: conserved per SKU across its buckets and the units moving between them, never negative,
  // never more sold than supplied; every transfer lands once.
  for (const sku of Object.keys(world.options.skus)) {
    const buckets = world.bucketsOf(sku);
    let onHand = 0;
    let sold = 0;
    for (const b of buckets) {
      const holds = [...b.holds.values()];
      const sum = (status: string) => holds.filter((h) => h.status === status).reduce((n, h) => n + h.quantity, 0);
      if (b.onHand < 0 || b.reserved < 0) bad('stock', `${sku}#${b.k}: negative (${b.onHand} on hand, ${b.reserved} held)`);
      if (b.reserved !== sum('held')) bad('stock', `${sku}#${b.k}: ${b.reserved} held by count, ${sum('held')} by holds`);
      onHand += b.onHand;
      sold += sum('committed');
    }
    const sent = buckets.flatMap((b) => [...b.transfers.values()].filter((t) => t.direction === 'out'));
    const landed = (id: string) => buckets.some((b) => b.transfers.get(id)?.direction === 'in');
    const moving = sent.filter((t) => !landed(t.id)).reduce((n, t) => n + t.units, 0);
    const supplied = world.options.skus[sku]!;
    if (onHand + sold + moving !== supplied)
      bad('stock', `${sku}: ${onHand} on hand + ${sold} sold + ${moving} moving ≠ ${supplied} supplied`);
    if (sold > supplied) bad('stock', `${sku}: ${sold} sold of ${supplied}`);
    if (moving > 0) bad('stock', `${sku}: ${moving} units sent between buckets never arrived`);
    for (const t of sent)
      if (t.status !== 'delivered') bad('stock', `${sku}: a transfer of ${t.units} is still being delivered (${t.status})`);
    for (const b of buckets)
      for (const t of b.transfers.values())
        if (t.direction === 'in' && !sent.some((s) => s.id === t.id)) bad('stock', `${sku}#${b.k}: received ${t.id}, never sent`);
  }

  for (const id of world.orderIds) {
    const o = placedState(world, id);
    const short = id.slice(0, 8);
    if (!o) {
      bad('termination', `${short}: never placed`);
      continue;
    }
    const flagged = o.exception !== undefined;
    const goodsLeftAfterCancel = o.exception === 'dispatched_after_cancellation';
    // Termination: every order ends, every step completes or is flagged.
    if (o.status === 'pending') bad('termination', `${short}: still pending`);
    // A pending order ends by its own deadline: asked again maxNudges times, then cancelled.
    const latest = Date.parse(o.placedAt) + SAGA.timeoutMs * (SAGA.maxNudges + 1);
    const settled = world.settledAt.get(id) ?? Number.POSITIVE_INFINITY;
    if (settled > latest) bad('termination', `${short}: pending until ${new Date(settled).toISOString()}, past its deadline`);
    // Once the faults stop, every step heals by itself: the flag is for operators, not an excuse.
    if (o.awaiting.length > 0) bad('termination', `${short}: ${o.status}, steps still open: ${o.awaiting.join(', ')}`);

    // Where each line stands: the bucket that holds or sold it (a line is never held in two).
    const holds = o.items.map((l) => {
      const statuses = world.bucketsOf(l.sku).map((b) => b.holds.get(id)?.status ?? null);
      const live = statuses.filter((h) => h === 'held' || h === 'committed');
      if (live.length > 1) bad('stock', `${short}: ${l.sku} held in ${live.length} buckets (${statuses.join(',')})`);
      return live[0] ?? statuses.find((h) => h !== null && h !== 'rejected') ?? statuses.find((h) => h !== null) ?? null;
    });
    const intent = world.intents.get(id);
    const moneyKept = intent?.status === 'captured';
    const sold = ['confirmed', 'shipped', 'delivered'].includes(o.status);

    // Goods: a sold order's units are sold; a cancelled order holds nothing and ships nothing.
    if (sold && !flagged && !holds.every((h) => h === 'committed'))
      bad('goods', `${short}: ${o.status} but holds ${holds.join(',')}`);
    if (o.status === 'cancelled') {
      if (holds.some((h) => h === 'held' || h === 'committed')) bad('goods', `${short}: cancelled but holds ${holds.join(',')}`);
      if (world.truth.leftWarehouse.has(id) && !goodsLeftAfterCancel)
        bad('goods', `${short}: cancelled, goods left the warehouse, and no operator was told`);
    }
    // Money matches goods.
    if (sold && !flagged && !moneyKept) bad('money', `${short}: ${o.status} but payment ${intent?.status ?? 'none'}`);
    if (o.status === 'cancelled' && moneyKept) bad('money', `${short}: cancelled but payment captured and kept`);
    if (intent?.status === 'authorized') bad('money', `${short}: an authorization never captured nor voided`);
    if (intent && (intent.captures > 1 || intent.voids > 1 || intent.refunds > 1)) bad('once', `${short}: money moved twice`);
  }

  for (const [fact, n] of world.mails) if (n > 1) bad('once', `mail for ${fact} sent ${n} times`);

  // No event announces a fact that did not happen.
  const seen = new Set<string>();
  for (const e of world.archive) {
    const orderId = ((e.data as { orderId?: string; id?: string }).orderId ?? (e.data as { id?: string }).id)!;
    const intent = world.intents.get(orderId);
    const lie = (why: string) => bad('facts', `${e.type} for ${orderId.slice(0, 8)}: ${why}`);
    switch (e.type) {
      case 'inventory.reserved':
        if (!e.data.items.every((l) => world.truth.held.has(`${orderId}/${l.sku}`))) lie('a line was never held');
        break;
      case 'inventory.released':
        if (!world.truth.givenBack.has(orderId)) lie('no unit came back');
        break;
      case 'inventory.rejected':
        if (!world.truth.refused.has(orderId)) lie('nothing was refused');
        break;
      case 'payment.authorized':
        if (!intent) lie('the provider holds nothing');
        break;
      case 'payment.captured':
        if (!intent || intent.captures === 0) lie('nothing was captured');
        break;
      case 'payment.refunded':
        if (!intent || intent.refunds === 0) lie('nothing was refunded');
        break;
      case 'payment.voided':
        if (!intent || intent.voids === 0) lie('nothing was voided');
        break;
      case 'shipment.dispatched':
      case 'shipment.delivered':
        if (!world.truth.leftWarehouse.has(orderId)) lie('the carrier never had it');
        break;
      case 'order.confirmed':
        if (!seen.has(`${orderId}/inventory.reserved`) || !seen.has(`${orderId}/payment.authorized`))
          lie('confirmed without stock and payment');
        break;
      default:
        break;
    }
    seen.add(`${orderId}/${e.type}`);
  }
  return v;
}

/** A failing run, told so a person can read it: the violations, then what happened, in order. */
export function explain(world: World, violations: Violation[]): string {
  return [
    ...violations.map((x) => `✗ ${x.invariant}: ${x.detail}`),
    'schedule:',
    ...world.log.map((a) => `  t+${Math.round((a.t - Date.parse('2026-11-29T00:00:00.000Z')) / 1000)}s ${a.what}`),
  ].join('\n');
}
