import { describe, expect, it } from 'vitest';
import { httpProvider } from '../../../workers/payments/http-provider';
import { TransientProviderError } from '../../../workers/payments/provider';
import { fakeStripe } from '../../helpers/fake-stripe';

const base = 'https://payments.test';

describe('HTTP payment provider (Stripe-compatible)', () => {
  it('authorizes, captures and refunds, sending its own idempotency key with each call', async () => {
    const stripe = fakeStripe();
    const provider = httpProvider({ baseUrl: base, apiKey: 'sk_test_local', fetch: stripe.fetch });
    const result = await provider.authorize({
      token: 'tok_visa',
      amountCents: 1234,
      currency: 'EUR',
      idempotencyKey: 'authorize_o1',
    });
    expect(result).toMatchObject({ outcome: 'approved' });
    const reference = result.outcome === 'approved' ? result.reference : '';
    await provider.capture(reference, 'capture_o1');
    await provider.refund(reference, 'refund_o1');
    expect(stripe.intents.get(reference)).toEqual({ status: 'refunded', amount: 1234 });
    expect(stripe.calls.map((c) => [c.path, c.key])).toEqual([
      ['/v1/payment_intents', 'authorize_o1'],
      [`/v1/payment_intents/${reference}/capture`, 'capture_o1'],
      ['/v1/refunds', 'refund_o1'],
    ]);
    expect(stripe.calls[0]!.form).toMatchObject({ amount: '1234', currency: 'eur', capture_method: 'manual', confirm: 'true' });
  });

  it('maps a card error to a decline, not a failure', async () => {
    const provider = httpProvider({ baseUrl: base, apiKey: 'sk_test_local', fetch: fakeStripe().fetch });
    expect(
      await provider.authorize({ token: 'tok_chargeDeclined', amountCents: 1, currency: 'EUR', idempotencyKey: 'k' }),
    ).toEqual({
      outcome: 'declined',
      reason: 'generic_decline',
    });
  });

  it('reports a 5xx as transient, and a retry with the same key authorizes exactly once', async () => {
    const stripe = fakeStripe({ failFirst: 1 });
    const provider = httpProvider({ baseUrl: base, apiKey: 'sk_test_local', fetch: stripe.fetch });
    const request = { token: 'tok_visa', amountCents: 500, currency: 'EUR', idempotencyKey: 'authorize_o2' };
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(TransientProviderError);
    const first = await provider.authorize(request);
    const again = await provider.authorize(request);
    expect(again).toEqual(first);
    expect(stripe.intents.size).toBe(1);
  });

  it('voids an authorization by cancelling the intent', async () => {
    const stripe = fakeStripe();
    const provider = httpProvider({ baseUrl: base, apiKey: 'sk_test_local', fetch: stripe.fetch });
    const result = await provider.authorize({ token: 'tok_visa', amountCents: 100, currency: 'EUR', idempotencyKey: 'a3' });
    const reference = result.outcome === 'approved' ? result.reference : '';
    await provider.void(reference, 'void_o3');
    expect(stripe.intents.get(reference)?.status).toBe('canceled');
  });

  it('reports an unreachable provider as transient', async () => {
    const provider = httpProvider({
      baseUrl: base,
      apiKey: 'sk_test_local',
      fetch: (async () => {
        throw new TypeError('network down');
      }) as typeof fetch,
    });
    await expect(provider.capture('pi_1', 'k')).rejects.toBeInstanceOf(TransientProviderError);
  });
});
