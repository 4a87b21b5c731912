import { WorkerEntrypoint } from 'cloudflare:workers';
import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { reply } from '../../shared/errors';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import type { ListOrdersQuery, QueryRpc } from '../../shared/rpc';
import { QueryConfig, queryConfig } from './config';
import { handlers, ProjectedBatch } from './consumer';
import { awaitWrite, listExceptions, listOrders, salesReport, timeline } from './queries';
import { rebuild } from './rebuild';

/** The read side as the gateway calls it: answers from D1 projections, with their freshness. */
export class QueryService extends WorkerEntrypoint<Env> implements QueryRpc {
  /** A customer's orders; given one of their writes, first waits (bounded) for it to arrive. */
  async listOrders(query: ListOrdersQuery) {
    return reply(async () => {
      const { maxWaitMs } = queryConfig(this.env);
      const consistent = query.awaitWrite
        ? await awaitWrite(this.env.DB, query.customerId, query.awaitWrite, maxWaitMs)
        : undefined;
      return { ...(await listOrders(this.env.DB, query)), ...(consistent === undefined ? {} : { consistent }) };
    });
  }

  /** Whether the customer has this order, waiting (at most the configured bound) for it to be projected. */
  async hasOrder(orderId: string, customerId: string, waitMs: number) {
    return reply(() =>
      awaitWrite(this.env.DB, customerId, { orderId, version: 1 }, Math.min(waitMs, queryConfig(this.env).maxWaitMs)),
    );
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

export default failClosed('query', QueryConfig, {
  fetch: health('query'),
  queue: async (batch, env, ctx?: ExecutionContext) => {
    const metrics = new Meter(env, 'query', ctx);
    const projected = new ProjectedBatch();
    await consume(batch, handlers(env, projected), { deadLetters: env.DEAD_LETTERS, metrics });
    await projected.finish(env.DB, metrics);
  },
} satisfies ExportedHandler<Env>);
