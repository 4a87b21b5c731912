import { type PaymentProvider, TransientProviderError } from './provider';

export interface HttpProviderOptions {
  /** e.g. https://api.stripe.com */
  baseUrl: string;
  apiKey: string;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/**
 * A Stripe-compatible REST provider: manual-capture PaymentIntents, cancel to void, refunds.
 * Every call carries our own Idempotency-Key, so a retried call is the same call to the provider.
 */
export function httpProvider(options: HttpProviderOptions): PaymentProvider {
  const send = options.fetch ?? fetch;

  async function post(path: string, form: Record<string, string>, idempotencyKey: string) {
    let response: Response;
    try {
      response = await send(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
        },
        body: new URLSearchParams(form),
      });
    } catch (error) {
      throw new TransientProviderError(`provider unreachable: ${String(error)}`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientProviderError(`provider answered ${response.status}`);
    }
    return { status: response.status, body: (await response.json()) as ProviderBody };
  }

  function expectOk({ status, body }: { status: number; body: ProviderBody }, what: string) {
    if (status >= 400) throw new Error(`${what} failed: ${status} ${body.error?.message ?? ''}`);
  }

  return {
    async authorize({ token, amountCents, currency, idempotencyKey }) {
      const answer = await post(
        '/v1/payment_intents',
        {
          amount: String(amountCents),
          currency: currency.toLowerCase(),
          payment_method: token,
          confirm: 'true',
          capture_method: 'manual',
        },
        idempotencyKey,
      );
      if (answer.status === 402)
        return { outcome: 'declined', reason: answer.body.error?.decline_code ?? answer.body.error?.code ?? 'declined' };
      expectOk(answer, 'authorize');
      if (answer.body.status !== 'requires_capture')
        return { outcome: 'declined', reason: answer.body.status ?? 'unknown_status' };
      return { outcome: 'approved', reference: answer.body.id! };
    },
    async capture(reference, idempotencyKey) {
      expectOk(await post(`/v1/payment_intents/${reference}/capture`, {}, idempotencyKey), 'capture');
    },
    async void(reference, idempotencyKey) {
      expectOk(await post(`/v1/payment_intents/${reference}/cancel`, {}, idempotencyKey), 'void');
    },
    async refund(reference, idempotencyKey) {
      expectOk(await post('/v1/refunds', { payment_intent: reference }, idempotencyKey), 'refund');
    },
  };
}

interface ProviderBody {
  id?: string;
  status?: string;
  error?: { type?: string; code?: string; decline_code?: string; message?: string };
}
