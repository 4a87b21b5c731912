import { describe, expect, it } from 'vitest';
import { classify, type HttpProviderOptions, httpProvider } from '../../../workers/payments/http-provider';
import { ProviderError } from '../../../workers/payments/provider';
import { fakeStripe } from '../../helpers/fake-stripe';

const orderId = '0b7f7c55-6f8e-4a8e-9a57-3c3b0f1d2e4a';
const visa = { token: 'tok_visa', amountCents: 1234, currency: 'EUR', orderId, idempotencyKey: `authorize_${orderId}` };

function setup(options: { failFirst?: number } & Partial<HttpProviderOptions> = {}) {
  const stripe = fakeStripe(options);
  const provider = httpProvider({ baseUrl: 'https://payments.test', apiKey: 'sk_test_local', fetch: stripe.fetch, ...options });
  return { stripe, provider };
}

/** The error a call threw, for matching its kind and message. */
async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw error;
  return error;
}

describe('HTTP payment provider (Stripe-compatible): happy path', () => {
  it('authorizes, captures and refunds, sending its own idempotency key with each call and the order id as metadata', async () => {
    const { stripe, provider } = setup();
    const result = await provider.authorize(visa);
    expect(result).toMatchObject({ outcome: 'approved' });
    const reference = result.outcome === 'approved' ? result.reference : '';
    await provider.capture({ reference, orderId, idempotencyKey: `capture_${orderId}` });
    await provider.refund({ reference, orderId, idempotencyKey: `refund_${orderId}` });
    expect(stripe.intents.get(reference)).toMatchObject({ status: 'succeeded', amount: 1234, amountRefunded: 1234 });
    expect(stripe.calls.map((c) => [c.path, c.key])).toEqual([
      ['/v1/payment_intents', `authorize_${orderId}`],
      [`/v1/payment_intents/${reference}/capture`, `capture_${orderId}`],
      ['/v1/refunds', `refund_${orderId}`],
    ]);
    expect(stripe.calls[0]!.form).toMatchObject({
      amount: '1234',
      currency: 'eur',
      capture_method: 'manual',
      confirm: 'true',
      'metadata[order_id]': orderId,
    });
  });

  it('voids an authorization by cancelling the intent', async () => {
    const { stripe, provider } = setup();
    const result = await provider.authorize(visa);
    const reference = result.outcome === 'approved' ? result.reference : '';
    await provider.void({ reference, orderId, idempotencyKey: `void_${orderId}` });
    expect(stripe.intents.get(reference)?.status).toBe('canceled');
  });

  it('looks an authorization up by the order id it carries, preferring one that holds money', async () => {
    const { provider } = setup();
    expect(await provider.lookup({ orderId, idempotencyKey: visa.idempotencyKey })).toEqual({ outcome: 'not_found' });
    const result = await provider.authorize(visa);
    const reference = result.outcome === 'approved' ? result.reference : '';
    expect(await provider.lookup({ orderId, idempotencyKey: visa.idempotencyKey })).toEqual({
      outcome: 'found',
      reference,
      status: 'authorized',
    });
    await provider.void({ reference, orderId, idempotencyKey: `void_${orderId}` });
    expect(await provider.lookup({ orderId, idempotencyKey: visa.idempotencyKey })).toEqual({
      outcome: 'found',
      reference,
      status: 'voided',
    });
  });

  it('finds nothing held for an order whose card was declined', async () => {
    const { provider } = setup();
    await provider.authorize({ ...visa, token: 'tok_chargeDeclined' });
    expect(await provider.lookup({ orderId, idempotencyKey: visa.idempotencyKey })).toEqual({ outcome: 'not_found' });
  });
});

describe('HTTP payment provider: classifying what goes wrong (defect 3)', () => {
  it.each([
    [200, 'ok'],
    [402, 'declined'],
    [400, 'invalid'],
    [401, 'invalid'],
    [404, 'invalid'],
    [422, 'invalid'],
    [408, 'transient'],
    [409, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
  ])('classifies %i as %s', (status, kind) => {
    expect(classify(status)).toBe(kind);
  });

  it('maps a card error (402) to a decline with its decline code', async () => {
    const { provider } = setup();
    expect(await provider.authorize({ ...visa, token: 'tok_chargeDeclined' })).toEqual({
      outcome: 'declined',
      reason: 'generic_decline',
    });
  });

  it('declines an invalid payment method (400) as invalid_request instead of retrying it', async () => {
    const { stripe, provider } = setup();
    expect(await provider.authorize({ ...visa, token: 'pm_does_not_exist' })).toEqual({
      outcome: 'declined',
      reason: 'invalid_request',
    });
    expect(stripe.calls).toHaveLength(1);
  });

  it.each([
    [{ status: 503 }, /503/],
    [{ status: 429 }, /429/],
    [{ status: 409 }, /409/],
    ['network', /no answer/],
  ] as const)('reports %j as transient, and a retry with the same key authorizes exactly once', async (fault, message) => {
    const { stripe, provider } = setup();
    stripe.fail(fault);
    const error = await failure(provider.authorize(visa));
    expect({ transient: error.transient, message: error.message }).toEqual({
      transient: true,
      message: expect.stringMatching(message),
    });
    const first = await provider.authorize(visa);
    expect(await provider.authorize(visa)).toEqual(first);
    expect(stripe.intentsOf(orderId)).toHaveLength(1);
  });

  it('gives up on a provider that does not answer within the timeout, as a transient failure', async () => {
    const { stripe, provider } = setup({ timeoutMs: 50 });
    stripe.fail('hang');
    const started = Date.now();
    const error = await failure(provider.capture({ reference: 'pi_1', orderId, idempotencyKey: 'k' }));
    expect({ transient: error.transient, message: error.message }).toEqual({
      transient: true,
      message: expect.stringMatching(/no answer.*(timeout|abort)/i),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers the original result when a lost answer is asked for again with the same key', async () => {
    const { stripe, provider } = setup();
    stripe.fail('lose');
    await failure(provider.authorize(visa));
    const [held] = stripe.intentsOf(orderId);
    expect(await provider.authorize(visa)).toEqual({ outcome: 'approved', reference: held!.id });
    expect(stripe.intentsOf(orderId)).toHaveLength(1);
  });

  it('refuses a capture of a cancelled intent for good, but takes a void of one as done', async () => {
    const { provider } = setup();
    const result = await provider.authorize(visa);
    const reference = result.outcome === 'approved' ? result.reference : '';
    await provider.void({ reference, orderId, idempotencyKey: 'void_1' });
    await expect(provider.void({ reference, orderId, idempotencyKey: 'void_2' })).resolves.toBeUndefined();
    const error = await failure(provider.capture({ reference, orderId, idempotencyKey: 'capture_1' }));
    expect({ transient: error.transient, message: error.message }).toEqual({
      transient: false,
      message: expect.stringContaining('payment_intent_unexpected_state'),
    });
  });
});
