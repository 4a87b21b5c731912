import { WorkerEntrypoint } from 'cloudflare:workers';
import { consume } from '../../shared/consume';
import { reply } from '../../shared/errors';
import { Meter } from '../../shared/metrics';
import type { ListOrdersQuery, QueryRpc } from '../../shared/rpc';
import { handlers } from './consumer';
import { awaitWrite, listExceptions, listOrders, salesReport, timeline } from './queries';
import { rebuild } from './rebuild';

/** The read side as the gateway calls it: answers from D1 projections, with their freshness. */
export class QueryService extends WorkerEntrypoint<Env> implements QueryRpc {
  /** A customer's orders; with a consistency token, first waits (bounded) for that write to arrive. */
  async listOrders(query: ListOrdersQuery) {
    return reply(async () => {
      const consistent = query.consistencyToken
        ? await awaitWrite(this.env.DB, query.consistencyToken, Number(this.env.CONSISTENCY_WAIT_MS))
        : undefined;
      return { ...(await listOrders(this.env.DB, query)), ...(consistent === undefined ? {} : { consistent }) };
    });
  }

  async timeline(orderId: string) {
    return reply(() => timeline(this.env.DB, orderId));
  }

  /** Orders flagged for an operator: overdue steps, goods dispatched after a cancellation. */
  async listExceptions(limit: number) {
    return reply(() => listExceptions(this.env.DB, limit));
  }

  async salesReport(from: string, to: string) {
    return reply(() => salesReport(this.env.DB, from, to));
  }

  /** Rebuilds every read model from the archive and swaps it in; reads keep working meanwhile. */
  async rebuild() {
    return reply(() => rebuild(this.env.DB, this.env.ARCHIVE));
  }
}

/** Liveness only: everything else reaches this Worker over RPC and queues. */
const health = (request: Request) =>
  new URL(request.url).pathname === '/health'
    ? Response.json({ service: 'query', ok: true })
    : new Response('Not Found', { status: 404 });

export default {
  fetch: health,
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'query', ctx) }),
} satisfies ExportedHandler<Env>;
