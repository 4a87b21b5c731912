import type { Decider } from '../../shared/decider';
import { DomainError } from '../../shared/errors';
import type { CancelReason, EventType, OrderLine, OrderSnapshot, OrderStatus } from '../../shared/events';
import type { Sealed } from '../../shared/sealed';

/**
 * A step the order waits for, owned by another service. Each has the event that asks for it (sent
 * again, with the same id, while the step is overdue) and the facts that complete it.
 */
export const steps = {
  /** inventory holds the units, or says it cannot */
  stock: { askedBy: 'order.placed', doneBy: ['inventory.reserved', 'inventory.rejected'] },
  /** payments authorizes, or says it cannot */
  payment: { askedBy: 'order.placed', doneBy: ['payment.authorized', 'payment.declined'] },
  capture: { askedBy: 'order.confirmed', doneBy: ['payment.captured'] },
  commit: { askedBy: 'order.confirmed', doneBy: ['inventory.committed'] },
  shipment: { askedBy: 'order.confirmed', doneBy: ['shipment.created', 'shipment.cancelled'] },
  /** shipping calls the shipment off, or refuses because it has left */
  callOff: { askedBy: 'order.cancellation_requested', doneBy: ['shipment.cancelled', 'shipment.cancel_refused'] },
  /** inventory gives back whatever it held or sold (or says it held nothing) */
  stockBack: { askedBy: 'order.cancelled', doneBy: ['inventory.released', 'inventory.rejected'] },
  /** payments voids or refunds (or says nothing was taken) */
  paymentBack: { askedBy: 'order.cancelled', doneBy: ['payment.voided', 'payment.refunded', 'payment.declined'] },
} as const satisfies Record<string, { askedBy: EventType; doneBy: readonly EventType[] }>;
export type Step = keyof typeof steps;

/** The facts of other services the order reacts to. */
export type Fact =
  | 'inventory.reserved'
  | 'inventory.rejected'
  | 'inventory.committed'
  | 'inventory.released'
  | 'payment.authorized'
  | 'payment.declined'
  | 'payment.captured'
  | 'payment.voided'
  | 'payment.refunded'
  | 'shipment.created'
  | 'shipment.cancelled'
  | 'shipment.cancel_refused'
  | 'shipment.dispatched'
  | 'shipment.delivered'
  | 'shipment.exception';

type At = { at: string };

/**
 * What the customer asked for, as placed: it never changes afterwards. The order keeps its
 * personal data and payment token only sealed (by the orders service, before placing): its stream,
 * its events and its answers hold ciphertext.
 */
type OrderTerms = {
  id: string;
  customerId: string;
  /** Sealed with the customer's key (shared/personal-data.ts). */
  email?: Sealed;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  /** Sealed with the customer's key. */
  shippingAddress: Sealed;
  /** Sealed for payments alone. */
  paymentToken: Sealed;
};

/** What happened to one order: the changes of its stream, in the order they happened (what the world hears of them are the order.* events, see {@link announce}). */
export type OrderChange =
  | { type: 'OrderPlaced'; data: At & OrderTerms }
  /** A step the order waited for is done (or, for stock and payment, refused). */
  | { type: 'StepDone'; data: At & { step: Step; fact: Fact } }
  | { type: 'OrderConfirmed'; data: At }
  | { type: 'CancellationRequested'; data: At }
  | { type: 'CancellationRefused'; data: At }
  | { type: 'OrderCancelled'; data: At & { reason: CancelReason } }
  | { type: 'OrderShipped'; data: At & { trackingNumber?: string } }
  | { type: 'OrderDelivered'; data: At }
  /** Overdue steps were asked for again (their events sent again with the same ids). */
  | { type: 'SagaNudged'; data: At & { attempt: number; steps: Step[] } }
  | { type: 'OrderFlagged'; data: At & { exception: 'overdue' | 'dispatched_after_cancellation'; steps: Step[] } };

export type OrderState = OrderTerms & {
  status: OrderStatus;
  stock: 'awaiting' | 'reserved' | 'rejected';
  payment: 'awaiting' | 'authorized' | 'declined';
  cancelReason?: CancelReason;
  cancellation?: 'requested' | 'refused';
  exception?: 'overdue' | 'dispatched_after_cancellation';
  trackingNumber?: string;
  /** The steps still open, each owned by another service. */
  awaiting: Step[];
  /** Since when the order has waited for its open steps (the last milestone or nudge). */
  waitingSince: string;
  /** How often the open steps were asked for again. */
  nudges: number;
  version: number;
  placedAt: string;
  updatedAt: string;
};
export type Order = { status: 'empty'; version: 0 } | OrderState;

export const initialOrder: Order = { status: 'empty', version: 0 };

/**
 * How long the order waits for a step before asking again. A pending order gives up after
 * `maxNudges` and cancels (`timeout`); later steps are asked for again forever, with backoff up
 * to `maxIntervalMs`, and the order is flagged for an operator once they are `maxNudges` late.
 */
export interface SagaPolicy {
  timeoutMs: number;
  maxNudges: number;
  maxIntervalMs?: number;
}

export type OrderCommand =
  | { type: 'PlaceOrder'; data: Omit<Extract<OrderChange, { type: 'OrderPlaced' }>['data'], 'at'> }
  | { type: 'Observe'; fact: Fact; trackingNumber?: string }
  | { type: 'CancelOrder' }
  | { type: 'CheckDeadline'; policy: SagaPolicy };

/** Decides what happens when `command` meets the order in `state`; pure, `now` is passed in. */
export function decide(command: OrderCommand, state: Order, now: Date): OrderChange[] {
  const at = now.toISOString();
  switch (command.type) {
    case 'PlaceOrder':
      if (state.status !== 'empty') throw new DomainError('order_exists', 'the order already exists');
      return [{ type: 'OrderPlaced', data: { ...command.data, at } }];
    case 'Observe':
      return observe(placed(state), command.fact, at, command.trackingNumber);
    case 'CancelOrder':
      return cancel(placed(state), at);
    case 'CheckDeadline':
      return checkDeadline(placed(state), command.policy, now);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function observe(order: OrderState, fact: Fact, at: string, trackingNumber?: string): OrderChange[] {
  const done = (step: Step): OrderChange[] =>
    order.awaiting.includes(step) ? [{ type: 'StepDone', data: { at, step, fact } }] : [];
  const pending = order.status === 'pending';
  switch (fact) {
    case 'inventory.reserved':
      if (!pending || order.stock !== 'awaiting') return [];
      return [...done('stock'), ...(order.payment === 'authorized' ? confirm(at) : [])];
    case 'inventory.rejected':
      if (pending && order.stock === 'awaiting') return [...done('stock'), cancelled('out_of_stock', at)];
      return done('stockBack');
    case 'payment.authorized':
      if (!pending || order.payment !== 'awaiting') return [];
      return [...done('payment'), ...(order.stock === 'reserved' ? confirm(at) : [])];
    case 'payment.declined':
      if (pending && order.payment === 'awaiting') return [...done('payment'), cancelled('payment_declined', at)];
      return done('paymentBack');
    case 'payment.captured':
      return done('capture');
    case 'inventory.committed':
      return done('commit');
    case 'inventory.released':
      return done('stockBack');
    case 'payment.voided':
    case 'payment.refunded':
      return done('paymentBack');
    case 'shipment.created':
      return done('shipment');
    case 'shipment.cancelled':
      // Shipping called the shipment off at the customer's request: now the order may cancel.
      if (order.status !== 'confirmed' || order.cancellation !== 'requested') return done('shipment');
      return [...done('shipment'), ...done('callOff'), cancelled('customer_request', at)];
    case 'shipment.cancel_refused':
      if (order.cancellation !== 'requested') return [];
      return [...done('callOff'), { type: 'CancellationRefused', data: { at } }];
    case 'shipment.dispatched':
    case 'shipment.delivered': {
      const shipped: OrderChange = { type: 'OrderShipped', data: { at, ...(trackingNumber ? { trackingNumber } : {}) } };
      const delivered: OrderChange = { type: 'OrderDelivered', data: { at } };
      const leaving = [...done('shipment'), ...done('callOff')];
      if (order.status === 'confirmed')
        return fact === 'shipment.dispatched' ? [...leaving, shipped] : [...leaving, shipped, delivered];
      return order.status === 'shipped' && fact === 'shipment.delivered' ? [delivered] : [];
    }
    case 'shipment.exception':
      return order.exception === 'dispatched_after_cancellation'
        ? []
        : [{ type: 'OrderFlagged', data: { at, exception: 'dispatched_after_cancellation', steps: [] } }];
    default: {
      const _exhaustive: never = fact;
      return _exhaustive;
    }
  }
}

/**
 * A pending order cancels at once (nothing can have left). A confirmed one asks shipping, which
 * alone knows whether the goods have left; the order goes on until shipping answers.
 */
function cancel(order: OrderState, at: string): OrderChange[] {
  switch (order.status) {
    case 'pending':
      return [cancelled('customer_request', at)];
    case 'confirmed':
      if (order.cancellation === 'refused') throw notCancellable('the parcel has already left');
      return order.cancellation === 'requested' ? [] : [{ type: 'CancellationRequested', data: { at } }];
    case 'shipped':
    case 'delivered':
      throw notCancellable(`the order is already ${order.status}`);
    case 'cancelled':
      return [];
    default: {
      const _exhaustive: never = order.status;
      return _exhaustive;
    }
  }
}

const notCancellable = (message: string) => new DomainError('not_cancellable', message);

function checkDeadline(order: OrderState, policy: SagaPolicy, now: Date): OrderChange[] {
  if (order.awaiting.length === 0 || now.getTime() < deadline(order, policy)) return [];
  const at = now.toISOString();
  const attempt = order.nudges + 1;
  if (order.status === 'pending') {
    if (order.nudges >= policy.maxNudges) return [cancelled('timeout', at)];
    return [{ type: 'SagaNudged', data: { at, attempt, steps: order.awaiting } }];
  }
  const nudge: OrderChange = { type: 'SagaNudged', data: { at, attempt, steps: order.awaiting } };
  if (attempt < policy.maxNudges || order.exception) return [nudge];
  return [nudge, { type: 'OrderFlagged', data: { at, exception: 'overdue', steps: order.awaiting } }];
}

/** When the order next needs attention (epoch ms), or infinity when it waits for nothing. */
export function deadline(order: OrderState, policy: SagaPolicy): number {
  if (order.awaiting.length === 0) return Number.POSITIVE_INFINITY;
  const backoff = order.status === 'pending' ? 1 : 2 ** Math.min(order.nudges, 20);
  const interval = Math.min(policy.timeoutMs * backoff, policy.maxIntervalMs ?? 3_600_000);
  return Date.parse(order.waitingSince) + interval;
}

const confirm = (at: string): OrderChange[] => [{ type: 'OrderConfirmed', data: { at } }];
const cancelled = (reason: CancelReason, at: string): OrderChange => ({ type: 'OrderCancelled', data: { reason, at } });

/** The order, or `order_not_found` when it was never placed. */
export function placed(state: Order): OrderState {
  if (state.status === 'empty') throw new DomainError('order_not_found', 'no such order');
  return state;
}

/** The steps a milestone opens: what the services that hear of it must do. */
function opened(order: OrderState, event: OrderChange): Step[] {
  switch (event.type) {
    case 'OrderConfirmed':
      return ['capture', 'commit', 'shipment'];
    case 'CancellationRequested':
      return ['callOff'];
    case 'OrderCancelled':
      // Whatever may be held or taken must come back; what was refused never was.
      return [
        ...(order.stock !== 'rejected' ? (['stockBack'] as const) : []),
        ...(order.payment !== 'declined' ? (['paymentBack'] as const) : []),
      ];
    default:
      return [];
  }
}

/** Applies one event to the state; pure. */
export function evolve(state: Order, event: OrderChange): Order {
  if (event.type === 'OrderPlaced') {
    const { at, ...order } = event.data;
    return {
      ...order,
      status: 'pending',
      stock: 'awaiting',
      payment: 'awaiting',
      awaiting: ['stock', 'payment'],
      nudges: 0,
      waitingSince: at,
      version: 1,
      placedAt: at,
      updatedAt: at,
    };
  }
  const order = placed(state);
  const next: OrderState = { ...order, version: order.version + 1, updatedAt: event.data.at };
  // A milestone replaces what the order waits for: the steps of the old phase no longer matter.
  const milestone = (changes: Partial<OrderState>): OrderState => {
    const moved = { ...next, ...changes };
    return { ...moved, awaiting: opened(moved, event), nudges: 0, waitingSince: event.data.at };
  };
  switch (event.type) {
    case 'StepDone':
      return {
        ...next,
        awaiting: next.awaiting.filter((s) => s !== event.data.step),
        ...(event.data.step === 'stock'
          ? { stock: event.data.fact === 'inventory.reserved' ? 'reserved' : 'rejected' }
          : event.data.step === 'payment'
            ? { payment: event.data.fact === 'payment.authorized' ? 'authorized' : 'declined' }
            : {}),
      };
    case 'OrderConfirmed':
      return milestone({ status: 'confirmed' });
    case 'CancellationRequested':
      return {
        ...next,
        cancellation: 'requested',
        awaiting: [...next.awaiting, 'callOff'],
        nudges: 0,
        waitingSince: event.data.at,
      };
    case 'CancellationRefused':
      return { ...next, cancellation: 'refused' };
    case 'OrderCancelled':
      return milestone({ status: 'cancelled', cancelReason: event.data.reason });
    case 'OrderShipped': {
      const tracking = event.data.trackingNumber ? { trackingNumber: event.data.trackingNumber } : {};
      // The parcel left: a cancellation still asked for is answered by that.
      const refused = next.cancellation === 'requested' ? { cancellation: 'refused' as const } : {};
      return { ...next, status: 'shipped', ...tracking, ...refused };
    }
    case 'OrderDelivered':
      return { ...next, status: 'delivered' };
    case 'SagaNudged':
      return { ...next, nudges: event.data.attempt, waitingSince: event.data.at };
    case 'OrderFlagged':
      return { ...next, exception: event.data.exception };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The order as a decider (see shared/decider.ts). */
export const order: Decider<OrderCommand, Order, OrderChange> = { initialState: initialOrder, decide, evolve };

/** The order as customers and other services see it. */
export function snapshot(order: OrderState): OrderSnapshot {
  return {
    id: order.id,
    customerId: order.customerId,
    ...(order.email ? { email: order.email } : {}),
    status: order.status,
    items: order.items,
    totalCents: order.totalCents,
    currency: order.currency,
    shippingAddress: order.shippingAddress,
    ...(order.cancelReason ? { cancelReason: order.cancelReason } : {}),
    ...(order.cancellation ? { cancellation: order.cancellation } : {}),
    ...(order.exception ? { exception: order.exception } : {}),
    ...(order.trackingNumber ? { trackingNumber: order.trackingNumber } : {}),
    version: order.version,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
  };
}

/** The published order.* event a stream event announces, if any, named by the fact it states. */
export type Announcement = { type: Extract<EventType, `order.${string}`>; key: string; data: Record<string, unknown> };

/**
 * What the world hears of a stream event: each order.* event carries the order as of that event
 * and an id derived from the fact (`<order>/order.confirmed`), so announcing it again (a nudge, a
 * crash before send) always carries the same id.
 */
export function announce(event: OrderChange, order: OrderState): Announcement | null {
  const view = snapshot(order);
  const fact = (type: Announcement['type'], data: Record<string, unknown> = view, suffix = '') => ({
    type,
    key: `${order.id}/${type}${suffix}`,
    data,
  });
  switch (event.type) {
    case 'OrderPlaced':
      return fact('order.placed', { ...view, payment: { token: order.paymentToken } });
    case 'OrderConfirmed':
      return fact('order.confirmed');
    case 'CancellationRequested':
      return fact('order.cancellation_requested');
    case 'OrderCancelled':
      return fact('order.cancelled', { ...view, cancelReason: event.data.reason });
    case 'OrderShipped':
      return fact('order.shipped');
    case 'OrderDelivered':
      return fact('order.delivered');
    case 'OrderFlagged':
      return fact(
        'order.flagged',
        { ...view, exception: event.data.exception, steps: event.data.steps },
        `/${event.data.exception}`,
      );
    case 'StepDone':
    case 'CancellationRefused':
    case 'SagaNudged':
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The order.* events a nudge sends again: the ones that ask for the overdue steps. */
export function askedAgain(nudge: Extract<OrderChange, { type: 'SagaNudged' }>): EventType[] {
  return [...new Set(nudge.data.steps.map((s) => steps[s].askedBy))];
}

/** The milestone event that asks for `type` again, rebuilt from the order (when its outbox row is gone). */
export function milestoneOf(type: EventType, order: OrderState): OrderChange | null {
  const at = order.updatedAt;
  switch (type) {
    case 'order.placed':
      return {
        type: 'OrderPlaced',
        data: {
          at: order.placedAt,
          id: order.id,
          customerId: order.customerId,
          ...(order.email ? { email: order.email } : {}),
          items: order.items,
          totalCents: order.totalCents,
          currency: order.currency,
          shippingAddress: order.shippingAddress,
          paymentToken: order.paymentToken,
        },
      };
    case 'order.confirmed':
      return { type: 'OrderConfirmed', data: { at } };
    case 'order.cancellation_requested':
      return { type: 'CancellationRequested', data: { at } };
    case 'order.cancelled':
      return { type: 'OrderCancelled', data: { at, reason: order.cancelReason ?? 'customer_request' } };
    default:
      return null;
  }
}
