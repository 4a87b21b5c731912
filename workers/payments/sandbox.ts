import type { AuthorizeResult } from './payment';
import { type PaymentProvider, ProviderError } from './provider';

/**
 * Test cards, as at Stripe: `tok_visa` approves, `tok_chargeDeclined` declines, any other token is
 * an invalid request. Faults, to watch payments cope without a real provider:
 * - `tok_flaky` fails transiently on its first two authorizations, then approves;
 * - `tok_unreachable` never answers, so payments retries until it gives up and declines
 *   (`provider_unavailable`);
 * - `tok_lostResponse` approves on the first call but the answer is lost on the way back; the
 *   retry (or a lookup, if the order is cancelled first) finds the authorization.
 *
 * Like a real provider it keeps its intents and honours idempotency keys: a repeated call answers
 * as the first did. It lives in memory, per Durable Object instance.
 */
export function sandbox(): PaymentProvider {
  const answers = new Map<string, AuthorizeResult>();
  const intents = new Map<string, { orderId: string; status: 'authorized' | 'captured' | 'voided' | 'refunded' }>();
  const flakyFailures = new Map<string, number>();

  function intent(reference: string) {
    const found = intents.get(reference);
    if (!found) throw new ProviderError(`sandbox: no intent ${reference}`, { transient: false });
    return found;
  }

  function move(reference: string, from: string, to: 'captured' | 'voided' | 'refunded') {
    const found = intent(reference);
    if (found.status === to) return;
    if (found.status !== from)
      throw new ProviderError(`sandbox: cannot ${to} a payment that is ${found.status}`, { transient: false });
    found.status = to;
  }

  return {
    async authorize({ token, orderId, idempotencyKey }) {
      const replay = answers.get(idempotencyKey);
      if (replay) return replay;
      if (token === 'tok_unreachable') throw new ProviderError('sandbox: provider unreachable', { transient: true });
      if (token === 'tok_flaky') {
        const failures = flakyFailures.get(idempotencyKey) ?? 0;
        if (failures < 2) {
          flakyFailures.set(idempotencyKey, failures + 1);
          throw new ProviderError(`sandbox: flaky failure ${failures + 1} of 2`, { transient: true });
        }
      }
      const result: AuthorizeResult = ['tok_visa', 'tok_flaky', 'tok_lostResponse'].includes(token)
        ? { outcome: 'approved', reference: `sandbox_${idempotencyKey}` }
        : { outcome: 'declined', reason: token === 'tok_chargeDeclined' ? 'card_declined' : 'invalid_request' };
      answers.set(idempotencyKey, result);
      if (result.outcome === 'approved') intents.set(result.reference, { orderId, status: 'authorized' });
      if (token === 'tok_lostResponse')
        throw new ProviderError('sandbox: the answer was lost on the way back', { transient: true });
      return result;
    },
    async capture({ reference }) {
      move(reference, 'authorized', 'captured');
    },
    async void({ reference }) {
      move(reference, 'authorized', 'voided');
    },
    async refund({ reference }) {
      move(reference, 'captured', 'refunded');
    },
    async lookup({ orderId }) {
      for (const [reference, found] of intents) {
        if (found.orderId !== orderId) continue;
        return { outcome: 'found', reference, status: found.status === 'refunded' ? 'captured' : found.status };
      }
      return { outcome: 'not_found' };
    },
  };
}
