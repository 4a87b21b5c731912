import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Announcement,
  announce,
  decide,
  evolve,
  initialState,
  nextWake,
  type Payment,
  type PaymentMessage,
  type ProviderCall,
  pendingCall,
} from '../../workers/payments/payment';

const order = { orderId: '0b7f7c55-6f8e-4a8e-9a57-3c3b0f1d2e4a', amountCents: 3800, currency: 'EUR' };
const t0 = Date.parse('2026-11-28T10:00:00.000Z');

/** How a provider call goes: answered; never arrives; or done with its answer lost on the way back. */
type Fate = 'ok' | 'unreachable' | 'lost';

type Step =
  /** The order's events, as the inbox delivers them: late, repeated, in any order. */
  | { kind: 'placed' }
  | { kind: 'confirm' }
  | { kind: 'cancel' }
  | { kind: 'redeliver'; which: number }
  /** The shell makes the call due now; its answer travels back later (`answer`), or never. */
  | { kind: 'call'; fate: Fate }
  | { kind: 'answer'; which: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'wake' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'placed' as const }),
  fc.constant({ kind: 'confirm' as const }),
  fc.constant({ kind: 'cancel' as const }),
  fc.nat(5).map((which) => ({ kind: 'redeliver' as const, which })),
  fc.constantFrom<Fate>('ok', 'unreachable', 'lost').map((fate) => ({ kind: 'call' as const, fate })),
  fc.nat(5).map((which) => ({ kind: 'answer' as const, which })),
  fc.integer({ min: 0, max: 90_000 }).map((ms) => ({ kind: 'tick' as const, ms })),
  fc.constant({ kind: 'wake' as const }),
);

/**
 * A provider that keeps its word like Stripe: one intent per order, a repeated key answers as the
 * first time, and a capture, void or refund from the wrong state is a violation of the money rules.
 */
function simulatedProvider(card: 'approves' | 'declines') {
  const answers = new Map<string, PaymentMessage>();
  let intent: { reference: string; status: 'authorized' | 'captured' | 'voided' | 'refunded' } | null = null;
  const violations: string[] = [];
  const calls: ProviderCall['call'][] = [];

  function move(from: 'authorized' | 'captured', to: 'captured' | 'voided' | 'refunded', call: string) {
    if (intent?.status !== from) violations.push(`${call} of a payment that is ${intent?.status ?? 'absent'}`);
    else intent.status = to;
  }

  function perform(call: ProviderCall): PaymentMessage {
    calls.push(call.call);
    const replay = answers.get(call.idempotencyKey);
    if (replay && call.call !== 'lookup') return replay;
    let answer: PaymentMessage;
    switch (call.call) {
      case 'authorize':
        if (card === 'approves') intent = { reference: 'pi_1', status: 'authorized' };
        answer = {
          type: 'ProviderAnswered',
          call: 'authorize',
          result:
            card === 'approves' ? { outcome: 'approved', reference: 'pi_1' } : { outcome: 'declined', reason: 'card_declined' },
        };
        break;
      case 'capture':
        move('authorized', 'captured', 'capture');
        answer = { type: 'ProviderAnswered', call: 'capture', result: { outcome: 'done' } };
        break;
      case 'void':
        move('authorized', 'voided', 'void');
        answer = { type: 'ProviderAnswered', call: 'void', result: { outcome: 'done' } };
        break;
      case 'refund':
        move('captured', 'refunded', 'refund');
        answer = { type: 'ProviderAnswered', call: 'refund', result: { outcome: 'done' } };
        break;
      case 'lookup':
        return {
          type: 'ProviderAnswered',
          call: 'lookup',
          result: intent
            ? { outcome: 'found', reference: intent.reference, status: intent.status === 'refunded' ? 'captured' : intent.status }
            : { outcome: 'not_found' },
        };
    }
    answers.set(call.idempotencyKey, answer);
    return answer;
  }

  return { perform, violations, calls, intent: () => intent };
}

/** Plays a schedule against the decider, then lets everything settle with a healthy provider. */
function play(card: 'approves' | 'declines', steps: Step[], stockOk: boolean) {
  const provider = simulatedProvider(card);
  let state: Payment = initialState;
  let now = t0;
  const announced: Announcement[] = [];
  const inFlight: PaymentMessage[] = [];
  const delivered: PaymentMessage[] = [];
  let orderStatus: 'pending' | 'confirmed' | 'cancelled' = 'pending';
  let compensateBeforePlaced = false;
  const placed: PaymentMessage = { type: 'Authorize', ...order, token: 'tok_visa', placedAt: new Date(t0).toISOString() };

  const send = (message: PaymentMessage) => {
    for (const event of decide(message, state, new Date(now))) {
      state = evolve(state, event);
      const announcement = announce(event, state);
      if (announcement) announced.push(announcement);
    }
    // The order reacts to what payments announces, as the saga does.
    if (orderStatus === 'pending' && announced.some((a) => a.type === 'payment.declined')) orderStatus = 'cancelled';
  };
  const fromOrder = (message: PaymentMessage) => {
    if (message.type === 'Compensate' && !delivered.some((m) => m.type === 'Authorize')) compensateBeforePlaced = true;
    delivered.push(message);
    send(message);
  };
  const makeCall = (fate: Fate) => {
    const call = pendingCall(state);
    if (!call) return;
    if (fate === 'unreachable') inFlight.push({ type: 'ProviderFailed', call: call.call, error: 'unreachable', transient: true });
    else {
      const answer = provider.perform(call);
      inFlight.push(fate === 'ok' ? answer : { type: 'ProviderFailed', call: call.call, error: 'answer lost', transient: true });
    }
  };
  const authorizedAnnounced = () => announced.some((a) => a.type === 'payment.authorized');

  for (const s of steps) {
    switch (s.kind) {
      case 'placed':
        fromOrder(placed);
        break;
      case 'confirm':
        if (orderStatus === 'pending' && authorizedAnnounced() && stockOk) {
          orderStatus = 'confirmed';
          fromOrder({ type: 'Capture', ...order });
        }
        break;
      case 'cancel':
        orderStatus = 'cancelled';
        fromOrder({ type: 'Compensate', ...order });
        break;
      case 'redeliver': {
        const again = delivered[s.which % Math.max(1, delivered.length)];
        if (again) fromOrder(again);
        break;
      }
      case 'call':
        makeCall(s.fate);
        break;
      case 'answer': {
        const [answer] = inFlight.splice(s.which % Math.max(1, inFlight.length), 1);
        if (answer) send(answer);
        break;
      }
      case 'tick':
        now += s.ms;
        send({ type: 'Tick' });
        break;
      case 'wake':
        now = Math.max(now, nextWake(state) ?? now);
        send({ type: 'Tick' });
        break;
    }
  }

  // Everything late arrives; the provider heals; the order, if still pending, is settled by the saga.
  for (const answer of inFlight.splice(0)) send(answer);
  if (!delivered.some((m) => m.type === 'Authorize') && orderStatus === 'pending') fromOrder(placed);
  let rounds = 0;
  for (; rounds < 100; rounds++) {
    const call = pendingCall(state);
    if (call) {
      send(provider.perform(call));
      continue;
    }
    if (orderStatus === 'pending' && (announced.length > 0 || state.status === 'voided_before_authorization')) {
      orderStatus = authorizedAnnounced() && stockOk ? 'confirmed' : 'cancelled';
      fromOrder(orderStatus === 'confirmed' ? { type: 'Capture', ...order } : { type: 'Compensate', ...order });
      continue;
    }
    if (orderStatus === 'cancelled' && !delivered.some((m) => m.type === 'Compensate')) {
      fromOrder({ type: 'Compensate', ...order });
      continue;
    }
    const wake = nextWake(state);
    if (wake === null) break;
    now = Math.max(now, wake);
    send({ type: 'Tick' });
  }
  return { state, orderStatus, announced, provider, rounds, compensateBeforePlaced };
}

describe('payment under any interleaving (property)', () => {
  it('keeps the money rules whatever the order of messages, duplicates, lost answers and outages', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('approves' as const, 'declines' as const),
        fc.array(step, { maxLength: 40 }),
        fc.boolean(),
        (card, steps, stockOk) => {
          const { state, orderStatus, announced, provider, rounds, compensateBeforePlaced } = play(card, steps, stockOk);
          const intent = provider.intent();

          // It ends: nothing left to call, no alarm needed.
          expect(rounds).toBeLessThan(100);
          expect({ pending: pendingCall(state), wake: nextWake(state) }).toEqual({ pending: null, wake: null });
          // The provider was never asked for an impossible move: no capture after a void, none twice, refund only after capture.
          expect(provider.violations).toEqual([]);
          // Every authorization ends captured or voided; money is kept exactly when the order went ahead.
          if (intent) expect(intent.status).not.toBe('authorized');
          if (intent?.status === 'captured') expect(orderStatus).toBe('confirmed');
          if (orderStatus === 'confirmed') expect(intent?.status).toMatch(/captured|refunded/);
          // An order cancelled before payments heard of it never reaches the provider.
          if (compensateBeforePlaced) expect(provider.calls.filter((c) => c === 'authorize')).toEqual([]);
          // Announcements: one answer per order, every fact announced happened, and again always the same.
          const types = new Set(announced.map((a) => a.type));
          expect([...types]).not.toEqual(expect.arrayContaining(['payment.authorized', 'payment.declined']));
          if (types.has('payment.authorized')) expect(intent).not.toBeNull();
          if (types.has('payment.captured')) expect(intent?.status).toMatch(/captured|refunded/);
          if (types.has('payment.voided')) expect(intent?.status).toBe('voided');
          if (types.has('payment.refunded')) expect(intent?.status).toBe('refunded');
          for (const a of announced) expect(a).toEqual(announced.find((b) => b.key === a.key));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
