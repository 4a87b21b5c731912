import { Hono } from 'hono';
import { inboxes, route } from './route';

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'router', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) => route(batch, inboxes(env), env.ARCHIVE, { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>;
