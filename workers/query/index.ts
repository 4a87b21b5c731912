import { WorkerEntrypoint } from 'cloudflare:workers';
import { Hono } from 'hono';
import { consume } from '../../shared/consume';
import { reply } from '../../shared/errors';
import type { ListOrdersQuery, QueryRpc } from '../../shared/rpc';
import { handlers } from './consumer';
import { listOrders, timeline } from './queries';

/** The read side as the gateway calls it: answers from D1 projections, with their freshness. */
export class QueryService extends WorkerEntrypoint<Env> implements QueryRpc {
  async listOrders(query: ListOrdersQuery) {
    return reply(() => listOrders(this.env.DB, query));
  }

  async timeline(orderId: string) {
    return reply(() => timeline(this.env.DB, orderId));
  }
}

const app = new Hono<{ Bindings: Env }>().get('/health', (c) => c.json({ service: 'query', ok: true }));

export default {
  fetch: app.fetch,
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>;
