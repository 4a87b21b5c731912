import { env } from 'cloudflare:workers';
import type { AuditEntry, AuditQuery } from '../../../shared/audit';
import type { ErrorCode } from '../../../shared/error-codes';
import { fail, ok, type Reply } from '../../../shared/errors';
import { makeOrder, makeProduct } from '../../helpers/fixtures';

type Answer = (...args: never[]) => Reply<unknown> | Promise<Reply<unknown>>;

/** What each fake service answers, by method; a call to any other method fails the test. */
export type Answers = Record<string, Record<string, Answer>>;

const notFound = (code: ErrorCode) => fail({ code, message: 'not found', status: 404 });

/**
 * The services behind the gateway as plain objects that answer as the real ones would and record
 * every call, so a test can say which requests reached a service, and that no refused one did.
 * The router keeps the audit log in memory.
 */
export function fakeServices(vars: Partial<Record<keyof Env, string>> = {}, overrides: Answers = {}) {
  const catalog = ['HAT', 'MUG', 'MUG-XL', 'TSHIRT'];
  /** Orders the read model holds: id → customer. */
  const orders = new Map<string, string>();
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  const audit: AuditEntry[] = [];
  const answers: Answers = {
    router: {
      recordAudit: (entry: AuditEntry) => {
        audit.push(entry);
        return ok(undefined);
      },
      listAudit: (q: AuditQuery) =>
        ok({
          items: audit
            .filter((e) => !q.actor || e.actor === q.actor)
            .toReversed()
            .slice(0, q.limit),
          nextCursor: null,
        }),
      listDeadLetters: () => ok({ items: [], nextCursor: null }),
      getDeadLetter: () => notFound('dead_letter_not_found'),
      redriveDeadLetter: (id: string) =>
        ok({
          id,
          queue: 'conveyor-bus',
          reason: 'r',
          attempts: 1,
          eventId: null,
          eventType: null,
          times: 1,
          firstAt: '',
          lastAt: '',
          status: 'redriven',
          redrivenAt: '',
          body: {},
        }),
      discardDeadLetter: () => ok(undefined),
      replay: () => ok({ events: 0, sent: {} }),
    },
    inventory: {
      // The listing: a page of SKUs after the cursor, in order, as D1 answers it.
      listProducts: (limit: number, cursor?: string) =>
        ok({
          items: catalog
            .filter((sku) => sku > (cursor ?? ''))
            .slice(0, limit)
            .map((sku) => makeProduct({ sku })),
          nextCursor: null,
        }),
      getProduct: (sku: string) => (catalog.includes(sku) ? ok(makeProduct({ sku })) : notFound('product_not_found')),
      upsertProduct: (sku: string) => ok(makeProduct({ sku })),
    },
    notifications: {
      listWebhooks: () => ok([]),
      listMail: () => ok({ items: [], nextCursor: null }),
      listDeliveries: () => ok({ items: [], nextCursor: null }),
      createWebhook: (url: string, eventTypes: string[], personalData = false) =>
        ok({ id: 'wh_1', url, eventTypes, personalData, createdAt: new Date().toISOString(), secret: 'whsec_x' }),
      deleteWebhook: () => ok(undefined),
    },
    orders: {
      getOrder: (id: string) =>
        orders.has(id) ? ok(makeOrder({ id, customerId: orders.get(id)! })) : notFound('order_not_found'),
      placeOrder: (customerId: string) => {
        const order = makeOrder({ customerId });
        orders.set(order.id, customerId);
        return ok({ order, replayed: false });
      },
      cancelOrder: () => notFound('order_not_found'),
      orderStatuses: (ids: string[]) => ok(Object.fromEntries(ids.map((id) => [id, 'delivered']))),
    },
    vault: {
      customerKeys: () => ok({ orders: [], erasedAt: null }),
      erase: (customerId: string) => ok({ customerId, erasedAt: new Date().toISOString(), orders: 0 }),
    },
    query: {
      hasOrder: (orderId: string, customerId: string) => ok(orders.get(orderId) === customerId),
      listOrders: () => ok({ items: [], nextCursor: null, freshness: { projectedAt: null, lastEventAt: null } }),
      timeline: () => ok({ events: [], freshness: { projectedAt: null, lastEventAt: null } }),
      salesReport: () => ok({ sales: [], ordersByStatus: {}, freshness: { projectedAt: null, lastEventAt: null } }),
      rebuild: () => ok({ events: 0, tables: [] }),
    },
    shipping: { carrierUpdate: () => ok({ duplicate: false, status: 'dispatched' }) },
  };
  for (const [name, methods] of Object.entries(overrides)) answers[name] = { ...answers[name], ...methods };
  const service = (name: string) =>
    new Proxy(
      {},
      {
        get: (_, method) =>
          // Not a promise: only calls are answered.
          method === 'then' || typeof method !== 'string'
            ? undefined
            : async (...args: never[]) => {
                calls.push({ service: name, method, args });
                const answer = answers[name]?.[method];
                if (!answer) throw new Error(`the fake ${name} service has no ${method}`);
                return answer(...args);
              },
      },
    );
  const bindings = {
    ORDERS: 'orders',
    INVENTORY: 'inventory',
    QUERY: 'query',
    SHIPPING: 'shipping',
    NOTIFICATIONS: 'notifications',
    ROUTER: 'router',
    VAULT: 'vault',
  };
  const fakeEnv = {
    ...env,
    ...vars,
    ...Object.fromEntries(Object.entries(bindings).map(([binding, name]) => [binding, service(name)])),
  } as Env;
  const reads = /^(list|get|timeline|salesReport|recordAudit|customerKeys|orderStatuses)/;
  return {
    env: fakeEnv,
    orders,
    calls,
    audit,
    /** Calls that could change state: anything but reads and the audit log. */
    writes: () => calls.filter((c) => !reads.test(c.method)),
  };
}
