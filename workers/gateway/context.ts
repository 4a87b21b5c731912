import type { Context } from 'hono';
import type { TimingVariables } from 'hono/timing';
import type { Scope } from '../../shared/audit';
import type { MetricsRpc } from '../../shared/metrics-api';
import type { VaultRpc } from '../../shared/personal-data';
import type { InventoryRpc, NotificationsRpc, OrdersRpc, QueryRpc, RouterRpc, ShippingRpc } from '../../shared/rpc';
import type { GatewayConfig } from './config';
import type { Operator } from './operators';

/** The Hono environment of the gateway, declared once. */
export interface AppEnv {
  Bindings: Env;
  Variables: TimingVariables & {
    requestId: string;
    /** The gateway's checked configuration (see `configured`). */
    config: GatewayConfig;
    /** The authenticated customer (JWT `sub`). */
    customerId: string;
    /** The authenticated operator, on admin routes. */
    operator: Operator;
    /** What the admin route does, the scope it needs and what it acts on: for the scope check and the audit log. */
    adminAction: { action: string; scope: Scope; target: string | null };
    /** The W3C trace this request belongs to; every event it causes carries it. */
    traceparent: string;
    /**
     * The order a request acts on, set by a handler whose path does not name it (placing one, a
     * carrier's update, a redrive), so the request's span is found with the order's other spans.
     */
    orderId: string;
  };
}

/** What the gateway may ask of each service: its RPC contract in shared/. */
interface Services {
  orders: Service<OrdersRpc>;
  inventory: Service<InventoryRpc>;
  query: Service<QueryRpc>;
  shipping: Service<ShippingRpc>;
  notifications: Service<NotificationsRpc>;
  router: Service<RouterRpc>;
  vault: Service<VaultRpc>;
}

/**
 * The services behind the gateway. The generated `Env` types each binding by the entrypoint it
 * names (`npm run types` reads the services' configs), so the compiler checks here that every
 * service offers what its contract says.
 */
export function services(env: Env): Services {
  return {
    orders: env.ORDERS,
    inventory: env.INVENTORY,
    query: env.QUERY,
    shipping: env.SHIPPING,
    notifications: env.NOTIFICATIONS,
    router: env.ROUTER,
    vault: env.VAULT,
  };
}

/** The metrics store (the router's MetricsService), as its contract: checked like `services`. */
export const metricsService = (env: Env): Service<MetricsRpc> => env.METRICS;

/** The request's execution context (its `waitUntil`), where there is one (`app.request()` in tests has none). */
export function executionContext(c: Context<AppEnv>) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
