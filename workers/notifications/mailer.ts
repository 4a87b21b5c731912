import { after, pageOf } from '../../shared/cursor';
import type { AdminPageQuery, Page, SentMail } from '../../shared/responses';
import type { Mail } from './templates';

/** Sends e-mail; `id` makes a repeat of the same message a no-op. */
export interface Mailer {
  send(id: string, mail: Mail): Promise<void>;
}

/** Where mail goes, from the notifications Worker's vars, secrets and bindings. */
export interface MailSettings {
  DB: D1Database;
  /** `sink` (the default: mail stays in D1), `cloudflare` (the SEND_EMAIL binding) or `resend`. */
  MAIL_PROVIDER?: string;
  /** The sender, e.g. `Shop <orders@shop.example>`, on a domain the provider has verified. */
  MAIL_FROM?: string;
  SEND_EMAIL?: SendEmail;
  RESEND_API_KEY?: string;
  RESEND_API_URL?: string;
}

/**
 * The mailer the settings ask for. With a real provider, a mail for a customer whose address is
 * unknown stays in the sink; every mail sent is also logged there, which is what makes a repeat
 * a no-op. A provider named without what it needs refuses to start rather than drop mail.
 *
 * @example
 * await mailerFor(env).send(`mail_${event.id}`, mailFor(event)!)
 */
export function mailerFor(settings: MailSettings, send: typeof fetch = fetch): Mailer {
  const sink = d1Sink(settings.DB);
  const provider = providerFor(settings, send);
  if (!provider) return sink;
  return {
    async send(id, mail) {
      if (!mail.email || (await sink.has(id))) return sink.send(id, mail);
      await provider.send(id, mail);
      await sink.send(id, mail);
    },
  };
}

function providerFor(settings: MailSettings, send: typeof fetch): Mailer | undefined {
  const { MAIL_PROVIDER: name = 'sink', MAIL_FROM: from } = settings;
  const missing = (what: string) => new Error(`MAIL_PROVIDER is "${name}" but ${what} is not set`);
  if (name === 'sink') return undefined;
  if (name !== 'cloudflare' && name !== 'resend')
    throw new Error(`MAIL_PROVIDER "${name}" is not one of sink, cloudflare, resend`);
  if (!from) throw missing('MAIL_FROM');
  if (name === 'cloudflare') {
    if (!settings.SEND_EMAIL) throw missing('the SEND_EMAIL binding');
    return cloudflareEmail(settings.SEND_EMAIL, from);
  }
  if (!settings.RESEND_API_KEY) throw missing('the RESEND_API_KEY secret');
  return resend({ apiKey: settings.RESEND_API_KEY, from, baseUrl: settings.RESEND_API_URL, send });
}

/** Cloudflare Email Service through a `send_email` binding, which builds the MIME message itself. */
export function cloudflareEmail(binding: SendEmail, from: string): Mailer {
  return {
    async send(_id, mail) {
      if (!mail.email) throw new Error(`mail for order ${mail.orderId} has no address`);
      await binding.send({ from, to: mail.email, subject: mail.subject, text: mail.body, html: mail.html });
    },
  };
}

/**
 * Resend's HTTP API. The mail id is its idempotency key, so a retry within Resend's 24 hours
 * answers the first send instead of sending again. A refusal throws, with Resend's reason, so
 * the queue retries it and finally dead-letters it where an operator sees why.
 */
export function resend(options: { apiKey: string; from: string; baseUrl?: string | undefined; send?: typeof fetch }): Mailer {
  const { apiKey, from, baseUrl = 'https://api.resend.com', send = fetch } = options;
  return {
    async send(id, mail) {
      if (!mail.email) throw new Error(`mail for order ${mail.orderId} has no address`);
      const response = await send(`${baseUrl}/emails`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': id },
        body: JSON.stringify({
          from,
          to: [mail.email],
          subject: mail.subject,
          text: mail.body,
          html: mail.html,
          tags: [{ name: 'order_id', value: mail.orderId }],
        }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        const reason = await response.text();
        throw new Error(`resend refused mail ${id}: ${response.status} ${reason.slice(0, 300)}`);
      }
    },
  };
}

/** The local mail sink: messages land in D1, where the admin API lists them. */
export function d1Sink(db: D1Database): Mailer & { has(id: string): Promise<boolean> } {
  return {
    async send(id, mail) {
      await db
        .prepare(
          'INSERT INTO mail (id, order_id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        )
        .bind(id, mail.orderId, mail.to, mail.subject, mail.body, new Date().toISOString())
        .run();
    },
    async has(id) {
      return (await db.prepare('SELECT 1 FROM mail WHERE id = ?').bind(id).first()) !== null;
    },
  };
}

/** The messages in the sink, newest first, a page at a time. */
export async function listMail(db: D1Database, { limit, cursor }: AdminPageQuery): Promise<Page<SentMail>> {
  const [at, id] = after(cursor);
  const { results } = await db
    .prepare(
      `SELECT id, order_id, recipient, subject, body, created_at FROM mail WHERE (created_at, id) < (?, ?)
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(at, id, limit + 1)
    .all<{ id: string; order_id: string; recipient: string; subject: string; body: string; created_at: string }>();
  return pageOf(
    results,
    limit,
    (r) => [r.created_at, r.id],
    (r) => ({ id: r.id, orderId: r.order_id, to: r.recipient, subject: r.subject, body: r.body, createdAt: r.created_at }),
  );
}
