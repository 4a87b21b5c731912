import { describe, expect, it } from 'vitest';
import { httpProvider } from '../../../workers/payments/http-provider';
import {
  type Announcement,
  announce,
  decide,
  defaultPolicy,
  evolve,
  initialState,
  nextWake,
  type Payment,
  type PaymentMessage,
  pendingCall,
} from '../../../workers/payments/payment';
import { type PaymentProvider, perform } from '../../../workers/payments/provider';
import { fakeStripe } from '../../helpers/fake-stripe';

const orderId = '0b7f7c55-6f8e-4a8e-9a57-3c3b0f1d2e4a';
const order = { orderId, amountCents: 3800, currency: 'EUR' };
const t0 = Date.parse('2026-11-28T10:00:00.000Z');
const placed = (token: string): PaymentMessage => ({ type: 'Authorize', ...order, token, placedAt: new Date(t0).toISOString() });

/**
 * The PaymentDO's loop without its storage, on a clock of its own: decide, make the call the state
 * asks for against the provider, feed the answer back; `wake` is the alarm firing at `nextWake`.
 */
function shell(provider: PaymentProvider) {
  let state: Payment = initialState;
  let now = t0;
  const announced: Announcement[] = [];
  const wakes: number[] = [];

  function apply(message: PaymentMessage) {
    for (const event of decide(message, state, new Date(now))) {
      state = evolve(state, event);
      const announcement = announce(event, state);
      if (announcement) announced.push(announcement);
    }
  }
  async function send(message: PaymentMessage) {
    apply(message);
    for (let call = pendingCall(state); call; call = pendingCall(state)) apply(await perform(provider, call));
  }
  return {
    send,
    async wake() {
      const at = nextWake(state);
      if (at === null) return false;
      wakes.push(at - now);
      now = Math.max(now, at);
      await send({ type: 'Tick' });
      return true;
    },
    /** Lets the alarm fire until `done` holds (at most `limit` times). */
    async wakeUntil(done: () => boolean, limit = 30) {
      for (let i = 0; i < limit && !done(); i++) await this.wake();
    },
    get state() {
      return state;
    },
    get elapsed() {
      return now - t0;
    },
    announced,
    wakes,
  };
}

function setup() {
  const stripe = fakeStripe();
  const payment = shell(
    httpProvider({ baseUrl: 'https://payments.test', apiKey: 'sk_test_local', fetch: stripe.fetch, timeoutMs: 50 }),
  );
  return { stripe, payment };
}

describe('payments against a Stripe-compatible provider', () => {
  it('declines an invalid payment method at once with reason invalid_request, without retrying', async () => {
    const { stripe, payment } = setup();
    await payment.send(placed('pm_does_not_exist'));
    expect(payment.announced).toMatchObject([{ type: 'payment.declined', data: { reason: 'invalid_request' } }]);
    expect({ calls: stripe.calls.length, wake: nextWake(payment.state) }).toEqual({ calls: 1, wake: null });
  });

  it('retries a 503, a 429 and a timeout with backoff, then authorizes exactly once', async () => {
    const { stripe, payment } = setup();
    stripe.fail({ status: 503 }, { status: 429 }, 'hang');
    await payment.send(placed('tok_visa'));
    await payment.wakeUntil(() => payment.announced.length > 0);
    expect(payment.announced.map((a) => a.type)).toEqual(['payment.authorized']);
    expect(payment.wakes).toEqual([1_000, 2_000, 4_000]);
    expect(new Set(stripe.calls.map((c) => c.key))).toEqual(new Set([`authorize_${orderId}`]));
    expect(stripe.intentsOf(orderId)).toMatchObject([{ status: 'requires_capture' }]);
  });

  it('looks up and voids an authorization whose answer was lost when the order is cancelled before the retry (defect 4)', async () => {
    const { stripe, payment } = setup();
    stripe.fail('lose');
    await payment.send(placed('tok_visa'));
    expect(payment.state.status).toBe('authorizing');
    await payment.send({ type: 'Compensate', ...order });
    expect(stripe.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/payment_intents',
      'GET /v1/payment_intents/search',
      `POST /v1/payment_intents/${stripe.intentsOf(orderId)[0]?.id}/cancel`,
    ]);
    expect(stripe.intentsOf(orderId)).toMatchObject([{ status: 'canceled' }]);
    expect(payment.state.status).toBe('voided');
    expect(payment.announced.map((a) => a.type)).toEqual(['payment.voided']);
  });

  it('declines provider_unavailable when the provider stays unreachable past the deadline, then settles once it is back (defect 7)', async () => {
    const { stripe, payment } = setup();
    stripe.down = true;
    await payment.send(placed('tok_visa'));
    await payment.wakeUntil(() => payment.announced.length > 0);
    expect(payment.announced).toMatchObject([{ type: 'payment.declined', data: { reason: 'provider_unavailable' } }]);
    expect(payment.elapsed).toBe(defaultPolicy.giveUpAfterMs);
    expect(payment.state.status).toBe('unknown');

    stripe.down = false;
    await payment.wakeUntil(() => nextWake(payment.state) === null);
    expect(payment.state).toEqual({ status: 'declined', order, answer: { outcome: 'declined', reason: 'provider_unavailable' } });
    expect(stripe.intentsOf(orderId)).toEqual([]);
  });

  it('voids, once the provider is back, an authorization made before it went away and declined for', async () => {
    const { stripe, payment } = setup();
    stripe.fail('lose');
    stripe.down = true;
    await payment.send(placed('tok_visa'));
    await payment.wakeUntil(() => payment.announced.length > 0);
    expect(stripe.intentsOf(orderId)).toMatchObject([{ status: 'requires_capture' }]);

    stripe.down = false;
    await payment.wakeUntil(() => nextWake(payment.state) === null);
    expect(stripe.intentsOf(orderId)).toMatchObject([{ status: 'canceled' }]);
    expect(payment.announced.map((a) => [a.type, a.key])).toEqual([
      ['payment.declined', `${orderId}/payment.declined`],
      ['payment.voided', `${orderId}/payment.voided`],
    ]);
  });

  it('captures, then refunds a cancelled confirmed order, each once however often asked', async () => {
    const { stripe, payment } = setup();
    await payment.send(placed('tok_visa'));
    stripe.fail('lose');
    await payment.send({ type: 'Capture', ...order });
    await payment.send({ type: 'Capture', ...order });
    await payment.wakeUntil(() => payment.state.status === 'captured');
    await payment.send({ type: 'Compensate', ...order });
    await payment.send({ type: 'Compensate', ...order });
    expect(stripe.intentsOf(orderId)).toMatchObject([{ status: 'succeeded', amountRefunded: 3800 }]);
    expect(payment.announced.map((a) => a.type)).toEqual([
      'payment.authorized',
      'payment.captured',
      'payment.refunded',
      'payment.refunded',
    ]);
    const refunds = payment.announced.filter((a) => a.type === 'payment.refunded');
    expect(new Set(refunds.map((a) => a.key))).toEqual(new Set([`${orderId}/payment.refunded`]));
  });
});
