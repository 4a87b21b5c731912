import { Hono } from 'hono';

/**
 * A local stand-in for a Stripe-compatible API, enough for the HTTP payment adapter: manual-capture
 * PaymentIntents, capture, cancel and refunds, with Idempotency-Key replay and injectable outages.
 */
export function fakeStripe(options: { failFirst?: number } = {}) {
  const intents = new Map<string, { status: string; amount: number }>();
  const seenKeys = new Map<string, { status: number; body: unknown }>();
  const calls: { path: string; key: string | undefined; form: Record<string, string> }[] = [];
  let failuresLeft = options.failFirst ?? 0;

  const app = new Hono<{ Variables: { form: Record<string, string> } }>();
  app.use(async (c, next) => {
    if (c.req.header('authorization') !== 'Bearer sk_test_local') return c.json({ error: { message: 'bad key' } }, 401);
    const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const key = c.req.header('idempotency-key');
    calls.push({ path: c.req.path, key, form });
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return c.json({ error: { message: 'temporarily unavailable' } }, 503);
    }
    const replay = key ? seenKeys.get(key) : undefined;
    if (replay) return c.json(replay.body as object, replay.status as 200);
    c.set('form', form);
    await next();
    if (key) seenKeys.set(key, { status: c.res.status, body: await c.res.clone().json() });
  });

  app.post('/v1/payment_intents', (c) => {
    const form = c.get('form');
    if (form.payment_method === 'tok_chargeDeclined') {
      return c.json({ error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' } }, 402);
    }
    const id = `pi_${crypto.randomUUID().slice(0, 8)}`;
    intents.set(id, { status: 'requires_capture', amount: Number(form.amount) });
    return c.json({ id, status: 'requires_capture' });
  });
  const move =
    (from: string, to: string) => (c: { req: { param: (k: string) => string }; json: (b: object, s?: 400) => Response }) => {
      const intent = intents.get(c.req.param('id'));
      if (!intent || intent.status !== from) return c.json({ error: { message: `not ${from}` } }, 400);
      intent.status = to;
      return c.json({ id: c.req.param('id'), status: to });
    };
  app.post('/v1/payment_intents/:id/capture', move('requires_capture', 'succeeded'));
  app.post('/v1/payment_intents/:id/cancel', move('requires_capture', 'canceled'));
  app.post('/v1/refunds', (c) => {
    const form = c.get('form');
    const intent = intents.get(form.payment_intent ?? '');
    if (intent?.status !== 'succeeded') return c.json({ error: { message: 'nothing to refund' } }, 400);
    intent!.status = 'refunded';
    return c.json({ id: `re_${crypto.randomUUID().slice(0, 8)}`, status: 'succeeded' });
  });

  return {
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      app.request(input instanceof Request ? input : String(input), init)) as typeof fetch,
    intents,
    calls,
  };
}
