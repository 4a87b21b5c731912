import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { listMail, mailerFor, resend } from '../../../workers/notifications/mailer';
import type { Mail } from '../../../workers/notifications/templates';

const makeMail = (overrides: Partial<Mail> = {}): Mail => ({
  orderId: crypto.randomUUID(),
  to: 'cust_1',
  email: 'ada@example.com',
  subject: 'Order 1234abcd confirmed',
  body: 'Thank you!',
  html: '<!doctype html><html><body><p>Thank you!</p></body></html>',
  ...overrides,
});

const newId = () => `mail_${crypto.randomUUID()}`;

/** How many times the sink holds a mail id. */
async function inSink(id: string) {
  return (await listMail(env.DB, { limit: 1000 })).items.filter((m) => m.id === id).length;
}

/**
 * A local stand-in for Resend's `POST /emails`, as its reference documents it: a bearer key,
 * `from`, `to` (up to 50 addresses), `subject` and `html` or `text`; an `Idempotency-Key` makes a
 * repeat within 24 hours answer the first send, and a reuse with another body is refused.
 */
function fakeResend(options: { failFirst?: number } = {}) {
  const delivered: { id: string; from: string; to: string[]; subject: string; text?: string; html?: string; tags?: unknown }[] =
    [];
  const byKey = new Map<string, { body: string; id: string }>();
  let failures = options.failFirst ?? 0;
  const error = (status: number, name: string, message: string) =>
    new Response(JSON.stringify({ statusCode: status, name, message }), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  const app = new Hono().post('/emails', async (c) => {
    if (c.req.header('authorization') !== 'Bearer re_test_key') return error(401, 'missing_api_key', 'Missing API key');
    if (failures > 0) {
      failures -= 1;
      return error(500, 'application_error', 'Something went wrong');
    }
    const raw = await c.req.text();
    const key = c.req.header('idempotency-key');
    const seen = key ? byKey.get(key) : undefined;
    if (seen && seen.body !== raw) return error(409, 'invalid_idempotent_request', 'Same key, different payload');
    if (seen) return c.json({ id: seen.id });
    const body = JSON.parse(raw);
    const to: string[] = [body.to].flat();
    if (!body.from || !body.subject || !(body.html || body.text) || to.length === 0 || to.length > 50) {
      return error(422, 'validation_error', 'Missing required field');
    }
    if (!to.every((address) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))) {
      return error(422, 'validation_error', 'Invalid `to` field.');
    }
    const id = crypto.randomUUID();
    if (key) byKey.set(key, { body: raw, id });
    delivered.push({ id, ...body, to });
    return c.json({ id });
  });
  const send = ((input: RequestInfo | URL, init?: RequestInit) =>
    app.request(new URL(String(input)).pathname, init)) as typeof fetch;
  return { delivered, send };
}

/** A local stand-in for a `send_email` binding, which accepts the builder form and may restrict recipients. */
function fakeSendEmail(allowed?: string[]) {
  const sent: EmailMessageBuilder[] = [];
  const binding: SendEmail = {
    async send(message: EmailMessage | EmailMessageBuilder) {
      if (!('subject' in message)) throw new Error('expected the builder form');
      const to = [message.to ?? []].flat().map((a) => (typeof a === 'string' ? a : a.email));
      if (allowed && !to.every((a) => allowed.includes(a))) throw new Error(`email to ${to.join(', ')} not allowed`);
      sent.push(message);
      return { messageId: `<${crypto.randomUUID()}@example.com>` };
    },
  };
  return { sent, binding };
}

const resendSettings = {
  DB: env.DB,
  MAIL_PROVIDER: 'resend',
  MAIL_FROM: 'Shop <orders@shop.example>',
  RESEND_API_KEY: 're_test_key',
};

describe('the mail sink (the local default)', () => {
  it('keeps every mail in D1 and sends nothing', async () => {
    const id = newId();
    await mailerFor({ DB: env.DB }).send(id, makeMail());
    await mailerFor({ DB: env.DB, MAIL_PROVIDER: 'sink' }).send(id, makeMail());
    expect(await inSink(id)).toBe(1);
  });
});

describe('Resend', () => {
  it('sends text and HTML to the customer, keyed for idempotency, and logs it in the sink', async () => {
    const fake = fakeResend();
    const mail = makeMail();
    const id = newId();
    await mailerFor(resendSettings, fake.send).send(id, mail);
    expect(fake.delivered).toEqual([
      {
        id: expect.any(String),
        from: 'Shop <orders@shop.example>',
        to: ['ada@example.com'],
        subject: mail.subject,
        text: mail.body,
        html: mail.html,
        tags: [{ name: 'order_id', value: mail.orderId }],
      },
    ]);
    expect(await inSink(id)).toBe(1);
  });

  it('sends a mail once however often its event arrives', async () => {
    const fake = fakeResend();
    const id = newId();
    const mailer = mailerFor(resendSettings, fake.send);
    await mailer.send(id, makeMail());
    await mailer.send(id, makeMail());
    expect(fake.delivered).toHaveLength(1);
  });

  it('throws while Resend fails, so the queue retries, and sends once when it recovers', async () => {
    const fake = fakeResend({ failFirst: 1 });
    const id = newId();
    const mailer = mailerFor(resendSettings, fake.send);
    await expect(mailer.send(id, makeMail())).rejects.toThrow(/resend refused mail .*: 500 .*application_error/);
    expect(await inSink(id)).toBe(0);
    await mailer.send(id, makeMail());
    expect(fake.delivered).toHaveLength(1);
    expect(await inSink(id)).toBe(1);
  });

  it('relies on the idempotency key when a send went out but the Worker died before logging it', async () => {
    const fake = fakeResend();
    const id = newId();
    const mail = makeMail();
    await resend({ apiKey: 're_test_key', from: resendSettings.MAIL_FROM, send: fake.send }).send(id, mail);
    await mailerFor(resendSettings, fake.send).send(id, mail);
    expect(fake.delivered).toHaveLength(1);
    expect(await inSink(id)).toBe(1);
  });

  it("passes on Resend's reason when it refuses an address", async () => {
    const fake = fakeResend();
    await expect(mailerFor(resendSettings, fake.send).send(newId(), makeMail({ email: 'not-an-address' }))).rejects.toThrow(
      /422 .*Invalid `to` field/,
    );
  });

  it('keeps a mail in the sink when the order has no address yet', async () => {
    const fake = fakeResend();
    const id = newId();
    const { email: _, ...withoutAddress } = makeMail();
    await mailerFor(resendSettings, fake.send).send(id, withoutAddress);
    expect(fake.delivered).toEqual([]);
    expect(await inSink(id)).toBe(1);
  });
});

describe('Cloudflare Email (send_email binding)', () => {
  const settings = (binding: SendEmail) => ({
    DB: env.DB,
    MAIL_PROVIDER: 'cloudflare',
    MAIL_FROM: 'orders@shop.example',
    SEND_EMAIL: binding,
  });

  it('hands the binding the message to compose: from, to, subject, text and HTML', async () => {
    const email = fakeSendEmail();
    const mail = makeMail();
    const id = newId();
    await mailerFor(settings(email.binding)).send(id, mail);
    await mailerFor(settings(email.binding)).send(id, mail);
    expect(email.sent).toEqual([
      { from: 'orders@shop.example', to: 'ada@example.com', subject: mail.subject, text: mail.body, html: mail.html },
    ]);
    expect(await inSink(id)).toBe(1);
  });

  it('throws when the binding refuses the recipient, and logs nothing', async () => {
    const email = fakeSendEmail(['someone@else.example']);
    const id = newId();
    await expect(mailerFor(settings(email.binding)).send(id, makeMail())).rejects.toThrow(/not allowed/);
    expect(await inSink(id)).toBe(0);
  });

  it('keeps a mail in the sink when the order has no address yet', async () => {
    const email = fakeSendEmail();
    const { email: _, ...withoutAddress } = makeMail();
    await mailerFor(settings(email.binding)).send(newId(), withoutAddress);
    expect(email.sent).toEqual([]);
  });
});

describe('mail settings', () => {
  it('refuse to start a provider without what it needs, rather than drop mail', () => {
    expect(() => mailerFor({ DB: env.DB, MAIL_PROVIDER: 'resend', MAIL_FROM: 'a@b.example' })).toThrow(/RESEND_API_KEY/);
    expect(() => mailerFor({ DB: env.DB, MAIL_PROVIDER: 'cloudflare', MAIL_FROM: 'a@b.example' })).toThrow(/SEND_EMAIL/);
    expect(() => mailerFor({ ...resendSettings, MAIL_FROM: undefined })).toThrow(/MAIL_FROM/);
    expect(() => mailerFor({ DB: env.DB, MAIL_PROVIDER: 'smtp' })).toThrow(/not one of sink, cloudflare, resend/);
  });
});
