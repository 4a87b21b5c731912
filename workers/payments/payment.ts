import type { Decider } from '../../shared/decider';
import type { DataOf } from '../../shared/events';

/**
 * The payment of one order, as a pure decider: what the order asks (authorize on order.placed,
 * capture on order.confirmed, compensate on order.cancelled), what the provider answered, and the
 * clock. The shell (PaymentDO) persists the events, makes the one provider call `pendingCall` names
 * outside the transaction, and feeds its answer back through `decide`; `announce` names the
 * payment.* event each domain event publishes, and `nextWake` when the shell's alarm must fire.
 *
 * Money rules kept in every state: an authorization that may exist at the provider ends captured or
 * voided (an answer lost in transit is looked up before anything is recorded); nothing is captured
 * after a void, nor twice; a refund follows only a capture.
 */

/** What the order pays: enough to call the provider and to announce the outcome. */
export interface OrderTerms {
  orderId: string;
  amountCents: number;
  currency: string;
}

export type CallName = 'authorize' | 'capture' | 'void' | 'refund' | 'lookup';

/** Every call carries its own idempotency key, the same on every retry. */
export interface AuthorizeRequest {
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
  currency: string;
  token: string;
}

/** A capture, void or refund of the authorization the provider knows as `reference`. */
export interface ReferencedRequest {
  idempotencyKey: string;
  orderId: string;
  reference: string;
}

/** Whether the authorization made for the order with `idempotencyKey` exists, and what became of it. */
export interface LookupRequest {
  idempotencyKey: string;
  orderId: string;
}

/** A provider call the shell must make now. */
export type ProviderCall =
  | ({ call: 'authorize' } & AuthorizeRequest)
  | ({ call: 'capture' } & ReferencedRequest)
  | ({ call: 'void' } & ReferencedRequest)
  | ({ call: 'refund' } & ReferencedRequest)
  | ({ call: 'lookup' } & LookupRequest);

export type AuthorizeResult = { outcome: 'approved'; reference: string } | { outcome: 'declined'; reason: string };
/** `not_found`: no intent for the order holds or held money. */
export type LookupResult =
  | { outcome: 'found'; reference: string; status: 'authorized' | 'captured' | 'voided' }
  | { outcome: 'not_found' };

/** What the provider answered a call. */
export type ProviderAnswer =
  | { call: 'authorize'; result: AuthorizeResult }
  | { call: 'capture' | 'void' | 'refund'; result: { outcome: 'done' } }
  | { call: 'lookup'; result: LookupResult };

export type PaymentMessage =
  /**
   * order.placed. The give-up deadline counts from `placedAt` (ISO), as the order saga's does.
   * `token` is null when the order's sealed token cannot be opened (its key retired from the
   * keyring, or an event of version 1): payments declines at once, without asking the provider.
   */
  | ({ type: 'Authorize'; token: string | null; placedAt?: string } & OrderTerms)
  /** order.confirmed. */
  | ({ type: 'Capture' } & OrderTerms)
  /** order.cancelled: void an authorization, refund a capture, or remember that none may follow. */
  | ({ type: 'Compensate' } & OrderTerms)
  | ({ type: 'ProviderAnswered' } & ProviderAnswer)
  /** The call did not answer. `transient`: 408/409/429, 5xx, network, timeout; the request may have arrived. */
  | { type: 'ProviderFailed'; call: CallName; error: string; transient: boolean }
  /** The alarm. */
  | { type: 'Tick' };

/** What payments has told the order about the authorization (and repeats when asked again). */
export type AuthorizationAnswer = { outcome: 'authorized' } | { outcome: 'declined'; reason: string };

/** A provider call that is due (`retryAt` null) or backing off after `attempts` failures. */
interface Calling {
  attempts: number;
  retryAt: number | null;
  /** Since when the call has been due (epoch ms). */
  dueSince: number;
}

interface Known {
  order: OrderTerms;
  answer: AuthorizationAnswer | null;
}

export type Payment =
  | { status: 'new' }
  /** The order was cancelled and no authorization exists: nothing was held and nothing will be. */
  | { status: 'voided_before_authorization'; order: OrderTerms }
  | (Known & Calling & { status: 'authorizing'; token: string; giveUpAt: number })
  /**
   * An authorization may exist but its answer was lost, and it must not be kept (the order was
   * cancelled, or payments gave up and declined): look it up, then void it if it exists.
   */
  | (Known & Calling & { status: 'unknown'; settlesAt: number })
  | (Known & { status: 'authorized'; reference: string })
  | (Known & { status: 'declined' })
  | (Known & Calling & { status: 'capturing'; reference: string; refundAfterCapture: boolean })
  | (Known & { status: 'captured'; reference: string })
  | (Known & Calling & { status: 'voiding'; reference: string })
  | (Known & { status: 'voided'; reference: string })
  | (Known & Calling & { status: 'refunding'; reference: string })
  | (Known & { status: 'refunded'; reference: string })
  /** The provider refused a capture, void or refund outright: an operator must look. */
  | (Known & { status: 'failed'; reference: string; call: CallName; error: string });

export type PaymentStatus = Payment['status'];

export type Fact = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

export type PaymentEvent =
  | { type: 'AuthorizationRequested'; order: OrderTerms; token: string; giveUpAt: number; at: number }
  | { type: 'CancelledBeforeAuthorization'; order: OrderTerms; at: number }
  /** The order's payment token could not be read: nothing was asked of the provider. */
  | { type: 'TokenUnreadable'; order: OrderTerms; at: number }
  | { type: 'Authorized'; reference: string; at: number }
  | { type: 'Declined'; reason: string; at: number }
  /** Payments stopped trying and declined; whatever the provider may hold is looked up and voided. */
  | { type: 'AuthorizationAbandoned'; reason: string; settlesAt: number; at: number }
  /** The order was cancelled while the authorization's answer was outstanding. */
  | { type: 'CancelledWhileAuthorizing'; settlesAt: number; at: number }
  | { type: 'AuthorizationFound'; reference: string; status: 'authorized' | 'captured' | 'voided'; at: number }
  /** A lookup found nothing, but the provider's search may not show it yet. */
  | { type: 'LookupDeferred'; retryAt: number; at: number }
  | { type: 'NothingHeld'; at: number }
  | { type: 'CaptureStarted'; at: number }
  | { type: 'RefundRequested'; at: number }
  | { type: 'Captured'; at: number }
  | { type: 'VoidStarted'; at: number }
  | { type: 'Voided'; at: number }
  | { type: 'RefundStarted'; at: number }
  | { type: 'Refunded'; at: number }
  | { type: 'CallFailed'; call: CallName; error: string; attempts: number; retryAt: number; at: number }
  | { type: 'CallRejected'; call: CallName; error: string; at: number }
  | { type: 'RetryDue'; at: number }
  /** A message asked again for a fact already announced: announce it again, with the same key. */
  | { type: 'OutcomeRepeated'; fact: Fact; at: number };

export interface PaymentPolicy {
  /** How long after the order was placed payments stops retrying an authorization and declines. */
  giveUpAfterMs: number;
  /** Backoff of a failed call: first delay, doubling up to the cap. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** How long the provider's search may lag behind a create: a lookup that finds nothing sooner looks again. */
  lookupSettleMs: number;
}

export const defaultPolicy: PaymentPolicy = {
  giveUpAfterMs: 60_000,
  firstRetryMs: 1_000,
  maxRetryMs: 5 * 60_000,
  lookupSettleMs: 2 * 60_000,
};

/** A due call with no answer recorded this long has lost its shell (a crash): wake and make it again. */
export const STALLED_CALL_MS = 30_000;

/** The reason payment.declined gives when the provider stayed unreachable until the deadline. */
export const PROVIDER_UNAVAILABLE = 'provider_unavailable';

/** The reason payment.declined gives when the order was cancelled before anything was authorized. */
export const ORDER_CANCELLED = 'order_cancelled';

/** The reason payment.declined gives when the order's payment token cannot be read (see shared/personal-data.ts). */
export const TOKEN_UNREADABLE = 'payment_token_unreadable';

export const initialState: Payment = { status: 'new' };

/** Delay before the next try after `attempts` failures: 1 s, 2 s, 4 s … up to the cap. */
export function retryDelayMs(attempts: number, policy: PaymentPolicy = defaultPolicy): number {
  return Math.min(policy.maxRetryMs, policy.firstRetryMs * 2 ** Math.max(0, attempts - 1));
}

/** What `message` makes happen to the payment in `state`; pure, `now` is passed in. */
export function decide(
  message: PaymentMessage,
  state: Payment,
  now: Date,
  policy: PaymentPolicy = defaultPolicy,
): PaymentEvent[] {
  const at = now.getTime();
  switch (message.type) {
    case 'Authorize':
      return onAuthorize(message, state, at, policy);
    case 'Capture':
      return onCapture(state, at);
    case 'Compensate':
      return onCompensate(message, state, at, policy);
    case 'ProviderAnswered':
      return onAnswer(message, state, at, policy);
    case 'ProviderFailed':
      return onFailure(message, state, at, policy);
    case 'Tick':
      return onTick(state, at, policy);
    default: {
      const _: never = message;
      return _;
    }
  }
}

function onAuthorize(
  message: Extract<PaymentMessage, { type: 'Authorize' }>,
  state: Payment,
  at: number,
  policy: PaymentPolicy,
): PaymentEvent[] {
  switch (state.status) {
    case 'new': {
      const { orderId, amountCents, currency, token } = message;
      if (token === null) return [{ type: 'TokenUnreadable', order: { orderId, amountCents, currency }, at }];
      const from = message.placedAt ? Date.parse(message.placedAt) : at;
      return [
        {
          type: 'AuthorizationRequested',
          order: { orderId, amountCents, currency },
          token,
          giveUpAt: (Number.isNaN(from) ? at : from) + policy.giveUpAfterMs,
          at,
        },
      ];
    }
    // Cancelled first: the provider is never asked, and nothing is announced that did not happen.
    case 'voided_before_authorization':
    case 'authorizing':
      return [];
    case 'unknown':
    case 'authorized':
    case 'declined':
    case 'capturing':
    case 'captured':
    case 'voiding':
    case 'voided':
    case 'refunding':
    case 'refunded':
    case 'failed':
      return state.answer ? [{ type: 'OutcomeRepeated', fact: state.answer.outcome, at }] : [];
    default: {
      const _: never = state;
      return _;
    }
  }
}

function onCapture(state: Payment, at: number): PaymentEvent[] {
  switch (state.status) {
    case 'authorized':
      return [{ type: 'CaptureStarted', at }];
    case 'captured':
      return [{ type: 'OutcomeRepeated', fact: 'captured', at }];
    // The order confirms only after payment.authorized, so these are late or misrouted: no capture
    // without an authorization, none after a void, none twice.
    case 'new':
    case 'voided_before_authorization':
    case 'authorizing':
    case 'unknown':
    case 'declined':
    case 'capturing':
    case 'voiding':
    case 'voided':
    case 'refunding':
    case 'refunded':
    case 'failed':
      return [];
    default: {
      const _: never = state;
      return _;
    }
  }
}

function onCompensate(
  message: Extract<PaymentMessage, { type: 'Compensate' }>,
  state: Payment,
  at: number,
  policy: PaymentPolicy,
): PaymentEvent[] {
  switch (state.status) {
    case 'new': {
      const { orderId, amountCents, currency } = message;
      return [{ type: 'CancelledBeforeAuthorization', order: { orderId, amountCents, currency }, at }];
    }
    // The request may have reached the provider: look before recording anything.
    case 'authorizing':
      return [{ type: 'CancelledWhileAuthorizing', settlesAt: at + policy.lookupSettleMs, at }];
    case 'authorized':
      return [{ type: 'VoidStarted', at }];
    // Whether the capture happened is unknown until it answers; it is retried with its key, then refunded.
    case 'capturing':
      return state.refundAfterCapture ? [] : [{ type: 'RefundRequested', at }];
    case 'captured':
      return [{ type: 'RefundStarted', at }];
    case 'voided':
      return [{ type: 'OutcomeRepeated', fact: 'voided', at }];
    case 'refunded':
      return [{ type: 'OutcomeRepeated', fact: 'refunded', at }];
    // Nothing was taken: the order may have missed the answer, so it is given again.
    case 'voided_before_authorization':
    case 'declined':
      return [{ type: 'OutcomeRepeated', fact: 'declined', at }];
    case 'unknown':
    case 'voiding':
    case 'refunding':
    case 'failed':
      return [];
    default: {
      const _: never = state;
      return _;
    }
  }
}

function onAnswer(
  message: Extract<PaymentMessage, { type: 'ProviderAnswered' }>,
  state: Payment,
  at: number,
  policy: PaymentPolicy,
): PaymentEvent[] {
  switch (message.call) {
    case 'authorize':
      return onAuthorizeAnswer(message.result, state, at);
    case 'lookup':
      return onLookupAnswer(message.result, state, at, policy);
    case 'capture':
      return state.status === 'capturing' ? [{ type: 'Captured', at }] : [];
    case 'void':
      return state.status === 'voiding' ? [{ type: 'Voided', at }] : [];
    case 'refund':
      return state.status === 'refunding' ? [{ type: 'Refunded', at }] : [];
    default: {
      const _: never = message;
      return _;
    }
  }
}

function onAuthorizeAnswer(result: AuthorizeResult, state: Payment, at: number): PaymentEvent[] {
  switch (state.status) {
    case 'authorizing':
      return result.outcome === 'approved'
        ? [{ type: 'Authorized', reference: result.reference, at }]
        : [{ type: 'Declined', reason: result.reason, at }];
    // The answer that was lost after all: it settles what a lookup would have.
    case 'unknown':
      return result.outcome === 'approved'
        ? [{ type: 'AuthorizationFound', reference: result.reference, status: 'authorized', at }]
        : [{ type: 'NothingHeld', at }];
    // A straggling approval where nothing was thought to be held: release it.
    case 'voided_before_authorization':
    case 'declined':
      return result.outcome === 'approved'
        ? [{ type: 'AuthorizationFound', reference: result.reference, status: 'authorized', at }]
        : [];
    case 'new':
    case 'authorized':
    case 'capturing':
    case 'captured':
    case 'voiding':
    case 'voided':
    case 'refunding':
    case 'refunded':
    case 'failed':
      return [];
    default: {
      const _: never = state;
      return _;
    }
  }
}

function onLookupAnswer(result: LookupResult, state: Payment, at: number, policy: PaymentPolicy): PaymentEvent[] {
  if (state.status !== 'unknown') return [];
  if (result.outcome === 'found') return [{ type: 'AuthorizationFound', reference: result.reference, status: result.status, at }];
  if (at < state.settlesAt) return [{ type: 'LookupDeferred', retryAt: Math.max(state.settlesAt, at + policy.firstRetryMs), at }];
  return [{ type: 'NothingHeld', at }];
}

function onFailure(
  message: Extract<PaymentMessage, { type: 'ProviderFailed' }>,
  state: Payment,
  at: number,
  policy: PaymentPolicy,
): PaymentEvent[] {
  const call = pendingCall(state);
  if (!call || call.call !== message.call || !('attempts' in state)) return [];
  const { error } = message;
  if (state.status === 'authorizing') {
    if (!message.transient) return [abandon('provider_error', at, policy)];
    if (at >= state.giveUpAt) return [abandon(PROVIDER_UNAVAILABLE, at, policy)];
  }
  // A refused capture, void or refund will not succeed by repeating it; a lookup is asked until it answers.
  if (!message.transient && message.call !== 'lookup') return [{ type: 'CallRejected', call: message.call, error, at }];
  const attempts = state.attempts + 1;
  return [{ type: 'CallFailed', call: message.call, error, attempts, retryAt: at + retryDelayMs(attempts, policy), at }];
}

function abandon(reason: string, at: number, policy: PaymentPolicy): PaymentEvent {
  return { type: 'AuthorizationAbandoned', reason, settlesAt: at + policy.lookupSettleMs, at };
}

function onTick(state: Payment, at: number, policy: PaymentPolicy): PaymentEvent[] {
  switch (state.status) {
    case 'authorizing':
      if (at >= state.giveUpAt) return [abandon(PROVIDER_UNAVAILABLE, at, policy)];
      return retryIfDue(state, at);
    case 'unknown':
    case 'capturing':
    case 'voiding':
    case 'refunding':
      return retryIfDue(state, at);
    case 'new':
    case 'voided_before_authorization':
    case 'authorized':
    case 'declined':
    case 'captured':
    case 'voided':
    case 'refunded':
    case 'failed':
      return [];
    default: {
      const _: never = state;
      return _;
    }
  }
}

function retryIfDue(state: Calling, at: number): PaymentEvent[] {
  return state.retryAt !== null && at >= state.retryAt ? [{ type: 'RetryDue', at }] : [];
}

/** The payment after `event`; pure. */
export function evolve(state: Payment, event: PaymentEvent): Payment {
  const { at } = event;
  const due = { attempts: 0, retryAt: null, dueSince: at };
  switch (event.type) {
    case 'AuthorizationRequested':
      return { status: 'authorizing', order: event.order, answer: null, token: event.token, giveUpAt: event.giveUpAt, ...due };
    case 'CancelledBeforeAuthorization':
      return { status: 'voided_before_authorization', order: event.order };
    case 'TokenUnreadable':
      return { status: 'declined', order: event.order, answer: { outcome: 'declined', reason: TOKEN_UNREADABLE } };
    case 'Authorized':
      return { status: 'authorized', ...known(state), answer: { outcome: 'authorized' }, reference: event.reference };
    case 'Declined':
      return { status: 'declined', ...known(state), answer: { outcome: 'declined', reason: event.reason } };
    case 'AuthorizationAbandoned':
      return {
        status: 'unknown',
        ...known(state),
        answer: { outcome: 'declined', reason: event.reason },
        settlesAt: event.settlesAt,
        ...due,
      };
    case 'CancelledWhileAuthorizing':
      return { status: 'unknown', ...known(state), settlesAt: event.settlesAt, ...due };
    case 'AuthorizationFound': {
      const { reference } = event;
      if (event.status === 'authorized') return { status: 'voiding', ...known(state), reference, ...due };
      if (event.status === 'captured') return { status: 'refunding', ...known(state), reference, ...due };
      return { status: 'voided', ...known(state), reference };
    }
    case 'LookupDeferred':
      return { ...calling(state), retryAt: event.retryAt };
    case 'NothingHeld': {
      const { order, answer } = known(state);
      return answer?.outcome === 'declined'
        ? { status: 'declined', order, answer }
        : { status: 'voided_before_authorization', order };
    }
    case 'CaptureStarted':
      return { status: 'capturing', ...known(state), reference: reference(state), refundAfterCapture: false, ...due };
    case 'RefundRequested':
      return state.status === 'capturing' ? { ...state, refundAfterCapture: true } : state;
    case 'Captured':
      if (state.status === 'capturing' && state.refundAfterCapture) {
        return { status: 'refunding', ...known(state), reference: state.reference, ...due };
      }
      return { status: 'captured', ...known(state), reference: reference(state) };
    case 'VoidStarted':
      return { status: 'voiding', ...known(state), reference: reference(state), ...due };
    case 'Voided':
      return { status: 'voided', ...known(state), reference: reference(state) };
    case 'RefundStarted':
      return { status: 'refunding', ...known(state), reference: reference(state), ...due };
    case 'Refunded':
      return { status: 'refunded', ...known(state), reference: reference(state) };
    case 'CallFailed':
      return { ...calling(state), attempts: event.attempts, retryAt: event.retryAt };
    case 'CallRejected':
      return { status: 'failed', ...known(state), reference: reference(state), call: event.call, error: event.error };
    case 'RetryDue':
      return { ...calling(state), retryAt: null, dueSince: at };
    case 'OutcomeRepeated':
      return state;
    default: {
      const _: never = event;
      return _;
    }
  }
}

function known(state: Payment): Known {
  if (state.status === 'new') throw new Error('payment: no order terms yet');
  return { order: state.order, answer: 'answer' in state ? state.answer : null };
}

function reference(state: Payment): string {
  if (!('reference' in state)) throw new Error(`payment: no provider reference while ${state.status}`);
  return state.reference;
}

function calling(state: Payment): Extract<Payment, Calling> {
  if (!('attempts' in state)) throw new Error(`payment: no call outstanding while ${state.status}`);
  return state;
}

/** The provider call the shell must make now, or null (nothing to do, or backing off until `nextWake`). */
export function pendingCall(state: Payment): ProviderCall | null {
  switch (state.status) {
    case 'authorizing': {
      if (state.retryAt !== null) return null;
      const { orderId, amountCents, currency } = state.order;
      return {
        call: 'authorize',
        idempotencyKey: keyOf('authorize', orderId),
        orderId,
        amountCents,
        currency,
        token: state.token,
      };
    }
    case 'unknown':
      return state.retryAt === null
        ? { call: 'lookup', idempotencyKey: keyOf('authorize', state.order.orderId), orderId: state.order.orderId }
        : null;
    case 'capturing':
      return state.retryAt === null ? referenced('capture', state) : null;
    case 'voiding':
      return state.retryAt === null ? referenced('void', state) : null;
    case 'refunding':
      return state.retryAt === null ? referenced('refund', state) : null;
    case 'new':
    case 'voided_before_authorization':
    case 'authorized':
    case 'declined':
    case 'captured':
    case 'voided':
    case 'refunded':
    case 'failed':
      return null;
    default: {
      const _: never = state;
      return _;
    }
  }
}

/** The idempotency key of a call for an order: the same on every retry, so the provider does it once. */
export function keyOf(call: 'authorize' | 'capture' | 'void' | 'refund', orderId: string): string {
  return `${call}_${orderId}`;
}

function referenced(call: 'capture' | 'void' | 'refund', state: Known & { reference: string }): ProviderCall {
  const { orderId } = state.order;
  return { call, idempotencyKey: keyOf(call, orderId), orderId, reference: state.reference };
}

/** When the shell's alarm must fire (epoch ms): a retry, the give-up deadline, a stalled call; else null. */
export function nextWake(state: Payment): number | null {
  switch (state.status) {
    case 'authorizing':
      return Math.min(state.retryAt ?? state.dueSince + STALLED_CALL_MS, state.giveUpAt);
    case 'unknown':
    case 'capturing':
    case 'voiding':
    case 'refunding':
      return state.retryAt ?? state.dueSince + STALLED_CALL_MS;
    case 'new':
    case 'voided_before_authorization':
    case 'authorized':
    case 'declined':
    case 'captured':
    case 'voided':
    case 'refunded':
    case 'failed':
      return null;
    default: {
      const _: never = state;
      return _;
    }
  }
}

/** An integration event to publish: its type, its data, and the key naming the fact. */
export type Announcement = { [T in `payment.${Fact}`]: { type: T; data: DataOf<T>; key: string } }[`payment.${Fact}`];

/**
 * The payment.* event that `event` publishes, given the payment after it; null for bookkeeping.
 * `key` names the fact (`<orderId>/payment.authorized`): the shell derives the event id from it,
 * so announcing a fact again always carries the same id.
 */
export function announce(event: PaymentEvent, state: Payment): Announcement | null {
  switch (event.type) {
    case 'Authorized':
      return fact('authorized', state);
    case 'Declined':
    case 'AuthorizationAbandoned':
    case 'TokenUnreadable':
      return fact('declined', state);
    case 'Captured':
      return fact('captured', state);
    case 'Voided':
      return fact('voided', state);
    case 'Refunded':
      return fact('refunded', state);
    case 'AuthorizationFound':
      return event.status === 'voided' ? fact('voided', state) : null;
    // The order was cancelled and nothing is held: payments will never authorize it, and says so.
    case 'CancelledBeforeAuthorization':
    case 'NothingHeld':
      return fact('declined', state);
    case 'OutcomeRepeated':
      return fact(event.fact, state);
    case 'AuthorizationRequested':
    case 'CancelledWhileAuthorizing':
    case 'LookupDeferred':
    case 'CaptureStarted':
    case 'RefundRequested':
    case 'VoidStarted':
    case 'RefundStarted':
    case 'CallFailed':
    case 'CallRejected':
    case 'RetryDue':
      return null;
    default: {
      const _: never = event;
      return _;
    }
  }
}

function fact(name: Fact, state: Payment): Announcement {
  const { order, answer } = known(state);
  const data = {
    orderId: order.orderId,
    paymentId: `pay_${order.orderId}`,
    amountCents: order.amountCents,
    currency: order.currency,
  };
  const key = `${order.orderId}/payment.${name}`;
  switch (name) {
    case 'authorized':
      return { type: 'payment.authorized', data, key };
    case 'declined': {
      const reason = answer?.outcome === 'declined' ? answer.reason : ORDER_CANCELLED;
      return { type: 'payment.declined', data: { ...data, reason }, key };
    }
    case 'captured':
      return { type: 'payment.captured', data, key };
    case 'voided':
      return { type: 'payment.voided', data, key };
    case 'refunded':
      return { type: 'payment.refunded', data, key };
    default: {
      const _: never = name;
      return _;
    }
  }
}

export const payment: Decider<PaymentMessage, Payment, PaymentEvent> = { initialState, decide, evolve };

/** The decider with another policy (e.g. the Worker's configured give-up deadline). */
export function paymentDecider(policy: PaymentPolicy): Decider<PaymentMessage, Payment, PaymentEvent> {
  return { initialState, decide: (message, state, now) => decide(message, state, now, policy), evolve };
}
