import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  announce,
  type CallName,
  decide,
  defaultPolicy,
  evolve,
  initialState,
  nextWake,
  type Payment,
  type PaymentEvent,
  type PaymentMessage,
  type PaymentStatus,
  payment,
  pendingCall,
  retryDelayMs,
} from '../../workers/payments/payment';

const order = { orderId: '0b7f7c55-6f8e-4a8e-9a57-3c3b0f1d2e4a', amountCents: 3800, currency: 'EUR' };
const t0 = Date.parse('2026-11-28T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);
const due = { attempts: 0, retryAt: null, dueSince: t0 };
const authorized = { outcome: 'authorized' } as const;

/** One payment in every state, each with its call (if any) due now. */
const states: Record<PaymentStatus, Payment> = {
  new: initialState,
  voided_before_authorization: { status: 'voided_before_authorization', order },
  authorizing: { status: 'authorizing', order, answer: null, token: 'tok_visa', giveUpAt: t0 + 60_000, ...due },
  unknown: { status: 'unknown', order, answer: null, settlesAt: t0 + 120_000, ...due },
  authorized: { status: 'authorized', order, answer: authorized, reference: 'pi_1' },
  declined: { status: 'declined', order, answer: { outcome: 'declined', reason: 'card_declined' } },
  capturing: { status: 'capturing', order, answer: authorized, reference: 'pi_1', refundAfterCapture: false, ...due },
  captured: { status: 'captured', order, answer: authorized, reference: 'pi_1' },
  voiding: { status: 'voiding', order, answer: authorized, reference: 'pi_1', ...due },
  voided: { status: 'voided', order, answer: authorized, reference: 'pi_1' },
  refunding: { status: 'refunding', order, answer: authorized, reference: 'pi_1', ...due },
  refunded: { status: 'refunded', order, answer: authorized, reference: 'pi_1' },
  failed: { status: 'failed', order, answer: authorized, reference: 'pi_1', call: 'capture', error: '400' },
};

/** Every message, the failures aimed at the call the state has due (authorize when it has none). */
const messages = {
  Authorize: () => ({ type: 'Authorize', ...order, token: 'tok_visa', placedAt: at(0).toISOString() }),
  /** order.placed whose sealed token could not be opened (a key retired, an event of version 1). */
  'Authorize, token unreadable': () => ({ type: 'Authorize', ...order, token: null, placedAt: at(0).toISOString() }),
  Capture: () => ({ type: 'Capture', ...order }),
  Compensate: () => ({ type: 'Compensate', ...order }),
  'authorize approved': () => ({
    type: 'ProviderAnswered',
    call: 'authorize',
    result: { outcome: 'approved', reference: 'pi_1' },
  }),
  'authorize declined': () => ({
    type: 'ProviderAnswered',
    call: 'authorize',
    result: { outcome: 'declined', reason: 'card_declined' },
  }),
  'capture done': () => ({ type: 'ProviderAnswered', call: 'capture', result: { outcome: 'done' } }),
  'void done': () => ({ type: 'ProviderAnswered', call: 'void', result: { outcome: 'done' } }),
  'refund done': () => ({ type: 'ProviderAnswered', call: 'refund', result: { outcome: 'done' } }),
  'lookup found': () => ({
    type: 'ProviderAnswered',
    call: 'lookup',
    result: { outcome: 'found', reference: 'pi_1', status: 'authorized' },
  }),
  'lookup not found': () => ({ type: 'ProviderAnswered', call: 'lookup', result: { outcome: 'not_found' } }),
  'call failed (transient)': (s: Payment) => ({
    type: 'ProviderFailed',
    call: pendingCall(s)?.call ?? 'authorize',
    error: '503',
    transient: true,
  }),
  'call refused': (s: Payment) => ({
    type: 'ProviderFailed',
    call: pendingCall(s)?.call ?? 'authorize',
    error: '400',
    transient: false,
  }),
  Tick: () => ({ type: 'Tick' }),
} satisfies Record<string, (s: Payment) => PaymentMessage>;

type Expected = Record<keyof typeof messages, PaymentEvent['type'][]>;
const nothing: Expected = {
  Authorize: [],
  'Authorize, token unreadable': [],
  Capture: [],
  Compensate: [],
  'authorize approved': [],
  'authorize declined': [],
  'capture done': [],
  'void done': [],
  'refund done': [],
  'lookup found': [],
  'lookup not found': [],
  'call failed (transient)': [],
  'call refused': [],
  Tick: [],
};
/** The fact is announced again, with its key (see `announce`). */
const repeats = (_fact: 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded') => ['OutcomeRepeated' as const];

/**
 * What every message does in every state, at t0 (before any deadline). Read a row as: given a
 * payment in this state, when this message arrives, then these events.
 */
const table: Record<PaymentStatus, Expected> = {
  new: {
    ...nothing,
    Authorize: ['AuthorizationRequested'],
    'Authorize, token unreadable': ['TokenUnreadable'],
    Compensate: ['CancelledBeforeAuthorization'],
  },
  voided_before_authorization: { ...nothing, Compensate: repeats('declined'), 'authorize approved': ['AuthorizationFound'] },
  authorizing: {
    ...nothing,
    Compensate: ['CancelledWhileAuthorizing'],
    'authorize approved': ['Authorized'],
    'authorize declined': ['Declined'],
    'call failed (transient)': ['CallFailed'],
    'call refused': ['AuthorizationAbandoned'],
  },
  unknown: {
    ...nothing,
    'authorize approved': ['AuthorizationFound'],
    'authorize declined': ['NothingHeld'],
    'lookup found': ['AuthorizationFound'],
    'lookup not found': ['LookupDeferred'],
    'call failed (transient)': ['CallFailed'],
    'call refused': ['CallFailed'],
  },
  authorized: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    Capture: ['CaptureStarted'],
    Compensate: ['VoidStarted'],
  },
  declined: {
    ...nothing,
    Authorize: repeats('declined'),
    'Authorize, token unreadable': repeats('declined'),
    Compensate: repeats('declined'),
    'authorize approved': ['AuthorizationFound'],
  },
  capturing: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    Compensate: ['RefundRequested'],
    'capture done': ['Captured'],
    'call failed (transient)': ['CallFailed'],
    'call refused': ['CallRejected'],
  },
  captured: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    Capture: repeats('captured'),
    Compensate: ['RefundStarted'],
  },
  voiding: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    'void done': ['Voided'],
    'call failed (transient)': ['CallFailed'],
    'call refused': ['CallRejected'],
  },
  voided: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    Compensate: repeats('voided'),
  },
  refunding: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    'refund done': ['Refunded'],
    'call failed (transient)': ['CallFailed'],
    'call refused': ['CallRejected'],
  },
  refunded: {
    ...nothing,
    Authorize: repeats('authorized'),
    'Authorize, token unreadable': repeats('authorized'),
    Compensate: repeats('refunded'),
  },
  failed: { ...nothing, Authorize: repeats('authorized'), 'Authorize, token unreadable': repeats('authorized') },
};

const cells = Object.entries(table).flatMap(([status, row]) =>
  Object.entries(row).map(([message, events]) => [status as PaymentStatus, message as keyof typeof messages, events] as const),
);

/** Given `events` so far, when `message` arrives at `now`: the new events and the state after them. */
function when(given: Payment, message: PaymentMessage, now = at(0)) {
  const events = decide(message, given, now);
  return { events, state: events.reduce(evolve, given) };
}

/** Runs messages in order from the initial state. */
function given(...steps: [PaymentMessage, Date?][]): Payment {
  return steps.reduce((state, [message, now]) => when(state, message, now).state, initialState);
}

const authorize = messages.Authorize();
const approved = messages['authorize approved']();
const transientFailure = (call: CallName = 'authorize'): PaymentMessage => ({
  type: 'ProviderFailed',
  call,
  error: 'provider answered 503',
  transient: true,
});

describe('payment decider: every message in every state', () => {
  it.each(cells)('given %s, when %s, then %j', (status, message, expected) => {
    const state = states[status];
    expect(decide(messages[message](state), state, at(0)).map((e) => e.type)).toEqual(expected);
  });

  it('changes nothing for an announcement repeated: evolve keeps the state', () => {
    for (const state of Object.values(states).filter((s) => s.status !== 'new')) {
      expect(evolve(state, { type: 'OutcomeRepeated', fact: 'authorized', at: t0 })).toBe(state);
    }
  });
});

describe('payment decider: a token that cannot be read', () => {
  it('declines at once with payment_token_unreadable, asking the provider nothing', () => {
    const { events, state } = when(initialState, messages['Authorize, token unreadable']());
    expect(state).toEqual({ status: 'declined', order, answer: { outcome: 'declined', reason: 'payment_token_unreadable' } });
    expect(pendingCall(state)).toBeNull();
    expect(nextWake(state)).toBeNull();
    expect(announce(events[0]!, state)).toMatchObject({
      type: 'payment.declined',
      data: { orderId: order.orderId, reason: 'payment_token_unreadable' },
      key: `${order.orderId}/payment.declined`,
    });
  });
});

describe('payment decider: authorize', () => {
  it('asks the provider to authorize once, with a key that stays the same on every retry', () => {
    const state = given([authorize]);
    expect(pendingCall(state)).toEqual({
      call: 'authorize',
      idempotencyKey: `authorize_${order.orderId}`,
      token: 'tok_visa',
      ...order,
    });
    const retried = given([authorize], [transientFailure()], [{ type: 'Tick' }, at(1_000)]);
    expect(pendingCall(retried)).toEqual(pendingCall(state));
  });

  it('announces payment.authorized with a key naming the fact, and the same key when asked again', () => {
    const { events, state } = when(given([authorize]), approved);
    expect(events.map((e) => announce(e, state))).toEqual([
      {
        type: 'payment.authorized',
        data: { orderId: order.orderId, paymentId: `pay_${order.orderId}`, amountCents: 3800, currency: 'EUR' },
        key: `${order.orderId}/payment.authorized`,
      },
    ]);
    const again = when(state, authorize, at(5_000));
    expect(again.events.map((e) => announce(e, again.state))).toEqual(events.map((e) => announce(e, state)));
  });

  it('announces a decline with the provider reason, e.g. invalid_request for a 400', () => {
    const { events, state } = when(given([authorize]), {
      type: 'ProviderAnswered',
      call: 'authorize',
      result: { outcome: 'declined', reason: 'invalid_request' },
    });
    expect(events.map((e) => announce(e, state))).toMatchObject([
      { type: 'payment.declined', data: { reason: 'invalid_request' }, key: `${order.orderId}/payment.declined` },
    ]);
    expect(pendingCall(state)).toBeNull();
  });

  it('retries a transient failure from its own clock, backing off 1 s, 2 s, 4 s', () => {
    let state = given([authorize]);
    const retries: number[] = [];
    let now = t0;
    for (let i = 0; i < 3; i++) {
      state = when(state, transientFailure(), new Date(now)).state;
      expect(pendingCall(state)).toBeNull();
      const wake = nextWake(state)!;
      retries.push(wake - now);
      expect(when(state, { type: 'Tick' }, new Date(wake - 1)).events).toEqual([]);
      now = wake;
      state = when(state, { type: 'Tick' }, new Date(now)).state;
      expect(pendingCall(state)).toMatchObject({ call: 'authorize' });
    }
    expect(retries).toEqual([1_000, 2_000, 4_000]);
    expect(retryDelayMs(20)).toBe(defaultPolicy.maxRetryMs);
  });

  it('gives up at the deadline, counted from when the order was placed: declines provider_unavailable, then looks the intent up', () => {
    const placedAt = at(-50_000).toISOString();
    const state = given([{ ...authorize, placedAt }], [transientFailure(), at(0)]);
    expect(nextWake(state)).toBe(t0 + 1_000);
    const late = given(
      [{ ...authorize, placedAt }],
      [transientFailure(), at(0)],
      [{ type: 'Tick' }, at(1_000)],
      [transientFailure(), at(1_000)],
    );
    const { events, state: after } = when(late, { type: 'Tick' }, at(10_000));
    expect(events.map((e) => announce(e, after))).toMatchObject([
      { type: 'payment.declined', data: { reason: 'provider_unavailable' } },
    ]);
    expect(pendingCall(after)).toMatchObject({ call: 'lookup', idempotencyKey: `authorize_${order.orderId}` });
    // Asked again (the saga's nudge), it repeats the decline rather than trying again.
    expect(when(after, authorize, at(11_000)).events).toEqual([{ type: 'OutcomeRepeated', fact: 'declined', at: t0 + 11_000 }]);
  });

  it('gives up on a failure that comes after the deadline, without waiting for the next tick', () => {
    const { events } = when(given([authorize]), transientFailure(), at(60_000));
    expect(events).toMatchObject([{ type: 'AuthorizationAbandoned', reason: 'provider_unavailable' }]);
  });

  it('wakes to make a due call again when its shell died mid-call', () => {
    expect(nextWake(given([authorize]))).toBe(t0 + 30_000);
  });
});

describe('payment decider: compensate (defect 4: an answer lost in transit)', () => {
  it('looks the authorization up when the order is cancelled while its answer is outstanding, and voids what it finds', () => {
    const lost = given([authorize], [transientFailure()]);
    const cancelled = when(lost, messages.Compensate()).state;
    expect(cancelled.status).toBe('unknown');
    expect(pendingCall(cancelled)).toEqual({
      call: 'lookup',
      idempotencyKey: `authorize_${order.orderId}`,
      orderId: order.orderId,
    });
    const found = when(cancelled, messages['lookup found']()).state;
    expect(pendingCall(found)).toEqual({
      call: 'void',
      idempotencyKey: `void_${order.orderId}`,
      orderId: order.orderId,
      reference: 'pi_1',
    });
    const { events, state } = when(found, messages['void done']());
    expect(events.map((e) => announce(e, state)?.type)).toEqual(['payment.voided']);
  });

  it('records nothing held only once the provider search has had time to show the intent', () => {
    const cancelled = given([authorize], [transientFailure()], [messages.Compensate()]);
    const early = when(cancelled, messages['lookup not found'](), at(1_000));
    expect(early.events).toEqual([{ type: 'LookupDeferred', retryAt: t0 + defaultPolicy.lookupSettleMs, at: t0 + 1_000 }]);
    const settled = given(
      [authorize],
      [transientFailure()],
      [messages.Compensate()],
      [messages['lookup not found'](), at(1_000)],
      [{ type: 'Tick' }, at(defaultPolicy.lookupSettleMs)],
      [messages['lookup not found'](), at(defaultPolicy.lookupSettleMs)],
    );
    expect(settled).toEqual({ status: 'voided_before_authorization', order });
    expect(pendingCall(settled)).toBeNull();
  });

  it('never calls the provider for an order cancelled before it was placed with payments', () => {
    const state = given([messages.Compensate()], [authorize, at(1_000)]);
    expect(state.status).toBe('voided_before_authorization');
    expect(pendingCall(state)).toBeNull();
    expect(when(state, authorize, at(2_000)).events).toEqual([]);
  });

  it('tells the order it will never authorize a payment cancelled first, and tells it again when asked', () => {
    const first = when(initialState, messages.Compensate());
    expect(first.events.map((e) => announce(e, first.state))).toMatchObject([
      { type: 'payment.declined', data: { reason: 'order_cancelled' } },
    ]);
    const again = when(first.state, messages.Compensate(), at(5_000));
    expect(again.events.map((e) => announce(e, again.state))).toMatchObject([
      { type: 'payment.declined', key: first.events.map((e) => announce(e, first.state)?.key)[0] },
    ]);
  });

  it('releases an approval that straggles in after nothing was thought to be held', () => {
    const state = given([messages.Compensate()]);
    const after = when(state, approved).state;
    expect(pendingCall(after)).toMatchObject({ call: 'void', reference: 'pi_1' });
  });

  it('finishes a capture whose answer is outstanding before refunding it, never voiding a capture', () => {
    let state = given([authorize], [approved], [messages.Capture()], [transientFailure('capture')]);
    state = when(state, messages.Compensate()).state;
    state = when(state, { type: 'Tick' }, at(1_000)).state;
    expect(pendingCall(state)).toMatchObject({ call: 'capture' });
    const { events, state: after } = when(state, messages['capture done'](), at(1_000));
    expect(events.map((e) => announce(e, after)?.type)).toEqual(['payment.captured']);
    expect(pendingCall(after)).toMatchObject({ call: 'refund', idempotencyKey: `refund_${order.orderId}` });
  });

  it('flags a capture the provider refuses for an operator instead of retrying it forever', () => {
    const state = given(
      [authorize],
      [approved],
      [messages.Capture()],
      [{ type: 'ProviderFailed', call: 'capture', error: '400 payment_intent_unexpected_state', transient: false }],
    );
    expect(state).toMatchObject({ status: 'failed', call: 'capture', error: '400 payment_intent_unexpected_state' });
    expect(pendingCall(state)).toBeNull();
    expect(nextWake(state)).toBeNull();
  });
});

describe('payment decider: shape', () => {
  it('is one Decider object with the same functions', () => {
    expect(payment).toEqual({ initialState, decide, evolve });
  });

  it('gives up on the provider before the order saga stops waiting, so the order ends declined rather than timed out', () => {
    const toml = (worker: string) => readFileSync(join(import.meta.dirname, '../../workers', worker, 'wrangler.toml'), 'utf8');
    const seconds = (text: string, name: string) => Number(new RegExp(`${name} = "(\\d+)"`).exec(text)?.[1]);
    const orders = toml('orders');
    const sagaWait = seconds(orders, 'SAGA_TIMEOUT_SECONDS') * (1 + seconds(orders, 'SAGA_MAX_NUDGES'));
    expect(seconds(toml('payments'), 'PAYMENT_GIVE_UP_SECONDS')).toBeLessThan(sagaWait);
  });
});
