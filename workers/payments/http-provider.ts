import * as z from 'zod';
import type { LookupResult } from './payment';
import { type PaymentProvider, ProviderError } from './provider';

export interface HttpProviderOptions {
  /** e.g. https://api.stripe.com */
  baseUrl: string;
  apiKey: string;
  /** Limit on each call, answer included; {@link DEFAULT_TIMEOUT_MS} by default. */
  timeoutMs?: number;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * What an HTTP status means for a call: `transient` may succeed if repeated with the same key
 * (408 timeout, 409 the same key still in flight, 429 rate limit, 5xx), `declined` is a card error
 * (402), `invalid` a request the provider will never accept (any other 4xx).
 */
export function classify(status: number): 'ok' | 'transient' | 'declined' | 'invalid' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 402) return 'declined';
  if (status >= 400 && status < 500 && ![408, 409, 429].includes(status)) return 'invalid';
  return 'transient';
}

/**
 * A Stripe-compatible REST provider: manual-capture PaymentIntents, cancel to void, refunds. Every
 * call carries our own Idempotency-Key, so a retried call is the same call to the provider, and a
 * timeout, so a hung provider is a transient failure rather than a stuck payment.
 *
 * Lookup: intents are created with `metadata[order_id]` and found again with the Search API
 * (`GET /v1/payment_intents/search?query=metadata['order_id']:'…'`). Repeating the create with
 * the same Idempotency-Key would also answer, but when the first request never arrived it creates
 * the authorization it means to rule out, and a saved 5xx is replayed forever. Search can lag a
 * create by up to a minute, so the decider looks again before it trusts "not found".
 *
 * @example
 * const provider = httpProvider({ baseUrl: env.PAYMENT_API_URL, apiKey: env.PAYMENT_API_KEY, timeoutMs: 10_000 });
 */
export function httpProvider(options: HttpProviderOptions): PaymentProvider {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call(method: 'GET' | 'POST', path: string, form?: Record<string, string>, idempotencyKey?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let status: number;
    let text: string;
    try {
      const response = await send(`${options.baseUrl}${path}`, {
        method,
        headers,
        ...(form && { body: new URLSearchParams(form) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new ProviderError(`${method} ${path}: no answer: ${String(error)}`, { transient: true });
    }
    const kind = classify(status);
    if (kind === 'transient') throw new ProviderError(`${method} ${path}: ${status}`, { transient: true });
    const body = parse(text);
    // A success we cannot read may have taken effect: repeat it with its key rather than guess.
    if (!body) throw new ProviderError(`${method} ${path}: ${status} with an unreadable answer`, { transient: true });
    return { status, kind, body };
  }

  function refused(what: string, answer: { status: number; body: ProviderBody }): ProviderError {
    return new ProviderError(
      `${what} refused: ${answer.status} ${answer.body.error?.code ?? ''} ${answer.body.error?.message ?? ''}`,
      {
        transient: false,
      },
    );
  }

  return {
    async authorize({ token, amountCents, currency, orderId, idempotencyKey }) {
      const form = {
        amount: String(amountCents),
        currency: currency.toLowerCase(),
        payment_method: token,
        confirm: 'true',
        capture_method: 'manual',
        'metadata[order_id]': orderId,
      };
      const answer = await call('POST', '/v1/payment_intents', form, idempotencyKey);
      const { error } = answer.body;
      if (answer.kind === 'declined')
        return { outcome: 'declined', reason: error?.decline_code ?? error?.code ?? 'card_declined' };
      if (answer.kind === 'invalid') {
        console.error(JSON.stringify({ msg: 'payment provider refused the request', orderId, status: answer.status, error }));
        return { outcome: 'declined', reason: 'invalid_request' };
      }
      if (answer.body.status === 'requires_capture' && answer.body.id) return { outcome: 'approved', reference: answer.body.id };
      if (answer.body.status === 'processing') throw new ProviderError('authorization still processing', { transient: true });
      return { outcome: 'declined', reason: answer.body.status ?? 'unknown_status' };
    },
    async capture({ reference, idempotencyKey }) {
      const answer = await call('POST', `/v1/payment_intents/${reference}/capture`, {}, idempotencyKey);
      if (answer.kind !== 'ok' && answer.body.error?.payment_intent?.status !== 'succeeded') throw refused('capture', answer);
    },
    async void({ reference, idempotencyKey }) {
      const answer = await call('POST', `/v1/payment_intents/${reference}/cancel`, {}, idempotencyKey);
      if (answer.kind !== 'ok' && answer.body.error?.payment_intent?.status !== 'canceled') throw refused('void', answer);
    },
    async refund({ reference, idempotencyKey }) {
      const answer = await call('POST', '/v1/refunds', { payment_intent: reference }, idempotencyKey);
      if (answer.kind !== 'ok' && answer.body.error?.code !== 'charge_already_refunded') throw refused('refund', answer);
    },
    async lookup({ orderId }) {
      const query = encodeURIComponent(`metadata['order_id']:'${orderId}'`);
      const answer = await call('GET', `/v1/payment_intents/search?query=${query}`);
      if (answer.kind !== 'ok') throw refused('lookup', answer);
      return found(answer.body.data ?? []);
    },
  };
}

/** The intent that holds or held money, preferring one that still holds it. */
function found(intents: { id: string; status: string }[]): LookupResult {
  if (intents.some((i) => i.status === 'processing')) throw new ProviderError('intent still processing', { transient: true });
  for (const [providerStatus, status] of [
    ['requires_capture', 'authorized'],
    ['succeeded', 'captured'],
    ['canceled', 'voided'],
  ] as const) {
    const intent = intents.find((i) => i.status === providerStatus);
    if (intent) return { outcome: 'found', reference: intent.id, status };
  }
  // Declined or never confirmed: it holds nothing.
  return { outcome: 'not_found' };
}

/** The parts of a provider answer the adapter reads; everything else is ignored. */
const ProviderBody = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  data: z.array(z.object({ id: z.string(), status: z.string() })).optional(),
  error: z
    .object({
      type: z.string().optional(),
      code: z.string().optional(),
      decline_code: z.string().optional(),
      message: z.string().optional(),
      payment_intent: z.object({ id: z.string().optional(), status: z.string().optional() }).optional(),
    })
    .optional(),
});
type ProviderBody = z.infer<typeof ProviderBody>;

function parse(text: string): ProviderBody | null {
  try {
    const parsed = ProviderBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
