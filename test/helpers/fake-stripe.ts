import { Hono } from 'hono';

/**
 * How the next request goes wrong: answered with a status without being processed; never answered
 * (until the caller's signal aborts); refused before it arrives (`network`); or processed, with its
 * answer lost on the way back (`lose`).
 */
export type Fault = { status: 408 | 409 | 429 | 500 | 502 | 503 } | 'hang' | 'network' | 'lose';

interface Intent {
  status: 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';
  amount: number;
  amountRefunded: number;
  orderId: string | undefined;
}

const API_KEY = 'sk_test_local';

/**
 * A local stand-in for a Stripe-compatible API, enough for the HTTP payment adapter: manual-capture
 * PaymentIntents with metadata, search by metadata, capture, cancel and refunds, Idempotency-Key
 * replay (same key, other parameters: 400), Stripe's error shapes, and injectable faults.
 * `tok_visa` approves, `tok_chargeDeclined` is a card decline (402), any other payment method does
 * not exist (400).
 *
 * @example
 * const stripe = fakeStripe();
 * stripe.fail({ status: 503 }, 'lose');
 * const provider = httpProvider({ baseUrl: 'https://payments.test', apiKey: 'sk_test_local', fetch: stripe.fetch });
 */
export function fakeStripe(options: { failFirst?: number } = {}) {
  const intents = new Map<string, Intent>();
  const seenKeys = new Map<string, { form: string; status: number; body: unknown }>();
  const calls: { method: string; path: string; key: string | undefined; form: Record<string, string> }[] = [];
  const faults: Fault[] = Array.from({ length: options.failFirst ?? 0 }, () => ({ status: 503 }) as const);
  const state = { down: false };

  const app = new Hono<{ Variables: { form: Record<string, string> } }>();
  app.use(async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${API_KEY}`) return c.json({ error: { message: 'bad key' } }, 401);
    const body = c.req.method === 'POST' ? await c.req.parseBody() : {};
    const form = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
    const key = c.req.header('idempotency-key');
    const seen = key ? seenKeys.get(key) : undefined;
    if (seen && seen.form !== JSON.stringify(form)) {
      return c.json(
        {
          error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters' },
        },
        400,
      );
    }
    if (seen) return c.json(seen.body as object, seen.status as 200);
    c.set('form', form);
    await next();
    if (key) seenKeys.set(key, { form: JSON.stringify(form), status: c.res.status, body: await c.res.clone().json() });
  });

  app.post('/v1/payment_intents', (c) => {
    const form = c.get('form');
    const method = form.payment_method;
    if (method !== 'tok_visa' && method !== 'tok_chargeDeclined') {
      return c.json(
        {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            param: 'payment_method',
            message: `No such PaymentMethod: '${method}'`,
          },
        },
        400,
      );
    }
    const id = `pi_${crypto.randomUUID().slice(0, 8)}`;
    const intent: Intent = {
      status: 'requires_capture',
      amount: Number(form.amount),
      amountRefunded: 0,
      orderId: form['metadata[order_id]'],
    };
    intents.set(id, intent);
    if (method === 'tok_chargeDeclined') {
      intent.status = 'requires_payment_method';
      return c.json(
        {
          error: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            payment_intent: { id, status: intent.status },
          },
        },
        402,
      );
    }
    return c.json({ id, object: 'payment_intent', status: intent.status, amount: intent.amount });
  });

  app.get('/v1/payment_intents/search', (c) => {
    const match = /^metadata\['order_id'\]:'([^']*)'$/.exec(c.req.query('query') ?? '');
    if (!match) return c.json({ error: { type: 'invalid_request_error', message: 'unsupported query' } }, 400);
    const data = [...intents]
      .filter(([, i]) => i.orderId === match[1])
      .map(([id, i]) => ({ id, object: 'payment_intent', status: i.status }));
    return c.json({ object: 'search_result', data, has_more: false });
  });

  const move =
    (from: Intent['status'], to: Intent['status']) =>
    (c: { req: { param: (k: string) => string }; json: (b: object, s?: 400 | 404) => Response }) => {
      const id = c.req.param('id');
      const intent = intents.get(id);
      if (!intent)
        return c.json(
          { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${id}'` } },
          404,
        );
      if (intent.status !== from) {
        return c.json(
          {
            error: {
              type: 'invalid_request_error',
              code: 'payment_intent_unexpected_state',
              message: `This PaymentIntent's status is ${intent.status}`,
              payment_intent: { id, status: intent.status },
            },
          },
          400,
        );
      }
      intent.status = to;
      return c.json({ id, object: 'payment_intent', status: to });
    };
  app.post('/v1/payment_intents/:id/capture', move('requires_capture', 'succeeded'));
  app.post('/v1/payment_intents/:id/cancel', move('requires_capture', 'canceled'));
  app.post('/v1/refunds', (c) => {
    const intent = intents.get(c.get('form').payment_intent ?? '');
    if (intent?.status !== 'succeeded')
      return c.json({ error: { type: 'invalid_request_error', message: 'nothing to refund' } }, 400);
    if (intent.amountRefunded >= intent.amount) {
      return c.json(
        { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'already refunded' } },
        400,
      );
    }
    intent.amountRefunded = intent.amount;
    return c.json({ id: `re_${crypto.randomUUID().slice(0, 8)}`, object: 'refund', status: 'succeeded' });
  });

  async function fakeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const fault = faults.shift() ?? (state.down ? 'network' : undefined);
    if (fault === 'network') throw new TypeError('fetch failed: connection refused');
    const url = new URL(input instanceof Request ? input.url : String(input));
    const key = new Headers(init?.headers).get('idempotency-key') ?? undefined;
    calls.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      key,
      form: Object.fromEntries(new URLSearchParams(String(init?.body ?? ''))),
    });
    if (fault === 'hang') return abortion(init?.signal);
    if (typeof fault === 'object')
      return Response.json({ error: { type: 'api_error', message: 'injected' } }, { status: fault.status });
    const response = await Promise.race([app.request(url.toString(), init), abortion(init?.signal)]);
    if (fault === 'lose') throw new TypeError('network connection lost');
    return response;
  }

  return {
    fetch: fakeFetch as typeof fetch,
    intents,
    calls,
    /** Makes the next requests go wrong, one fault each, in order. */
    fail(...next: Fault[]) {
      faults.push(...next);
    },
    /** While down, every request is refused before it arrives. */
    set down(value: boolean) {
      state.down = value;
    },
    /** The intents made for an order. */
    intentsOf(orderId: string) {
      return [...intents].filter(([, i]) => i.orderId === orderId).map(([id, i]) => ({ id, ...i }));
    },
  };
}

/** Rejects with the signal's reason once it aborts, as fetch does; never settles otherwise. */
function abortion(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
