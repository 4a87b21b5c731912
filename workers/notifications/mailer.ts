import type { SentMail } from '../../shared/rpc';
import type { Mail } from './templates';

/** Sends e-mail; `id` makes a repeat of the same message a no-op. */
export interface Mailer {
  send(id: string, mail: Mail): Promise<void>;
}

/** The local mail sink: messages land in D1, where the admin API lists them. */
export function d1Sink(db: D1Database): Mailer {
  return {
    async send(id, mail) {
      await db
        .prepare(
          'INSERT INTO mail (id, order_id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        )
        .bind(id, mail.orderId, mail.to, mail.subject, mail.body, new Date().toISOString())
        .run();
    },
  };
}

/** The newest messages in the sink. */
export async function listMail(db: D1Database, limit: number): Promise<SentMail[]> {
  const { results } = await db
    .prepare('SELECT id, order_id, recipient, subject, body, created_at FROM mail ORDER BY created_at DESC LIMIT ?')
    .bind(limit)
    .all<{ id: string; order_id: string; recipient: string; subject: string; body: string; created_at: string }>();
  return results.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    to: r.recipient,
    subject: r.subject,
    body: r.body,
    createdAt: r.created_at,
  }));
}
