import { WorkerEntrypoint } from 'cloudflare:workers';
import { Hono } from 'hono';
import { consume } from '../../shared/consume';
import { handlers } from './consumer';
import { listMail } from './mailer';

/** The notifications service as the gateway calls it. */
export class NotificationsService extends WorkerEntrypoint<Env> {
  /** The newest messages in the local mail sink. */
  async listMail(limit: number) {
    return listMail(this.env.DB, limit);
  }
}

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'notifications', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>;
