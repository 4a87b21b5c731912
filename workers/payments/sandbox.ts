import { type PaymentProvider, TransientProviderError } from './provider';

/**
 * Test cards, as at Stripe: `tok_visa` approves, `tok_chargeDeclined` declines. `tok_flaky` fails
 * transiently on its first two authorizations (per Durable Object instance), so retries are
 * exercised; `tok_unreachable` never gets an answer, so the order saga times out.
 */
export function sandbox(): PaymentProvider {
  const flakyFailures = new Map<string, number>();
  return {
    async authorize({ token, idempotencyKey }) {
      if (token === 'tok_unreachable') throw new TransientProviderError('sandbox: provider unreachable');
      if (token === 'tok_flaky') {
        const failures = flakyFailures.get(idempotencyKey) ?? 0;
        if (failures < 2) {
          flakyFailures.set(idempotencyKey, failures + 1);
          throw new TransientProviderError(`sandbox: flaky failure ${failures + 1} of 2`);
        }
        return { outcome: 'approved', reference: `sandbox_${idempotencyKey}` };
      }
      if (token === 'tok_visa') return { outcome: 'approved', reference: `sandbox_${idempotencyKey}` };
      if (token === 'tok_chargeDeclined') return { outcome: 'declined', reason: 'card_declined' };
      return { outcome: 'declined', reason: 'invalid_token' };
    },
    async capture() {},
    async void() {},
    async refund() {},
  };
}
