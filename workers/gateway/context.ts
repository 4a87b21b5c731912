import type { Scope } from '../../shared/audit';
import type { MetricsRpc } from '../../shared/metrics-api';
import type { VaultRpc } from '../../shared/personal-data';
import type { InventoryRpc, NotificationsRpc, OrdersRpc, QueryRpc, RouterRpc, ShippingRpc } from '../../shared/rpc';
import type { GatewayConfig } from './config';
import type { Operator } from './operators';

/** The Hono environment of the gateway, declared once. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
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
  };
}

/**
 * The services behind the gateway, typed by their RPC contracts in shared/. The generated `Env`
 * knows the bindings but not the entrypoints' methods, hence the one narrowing here.
 */
export function services(env: Env) {
  return {
    orders: env.ORDERS as unknown as Service<OrdersRpc>,
    inventory: env.INVENTORY as unknown as Service<InventoryRpc>,
    query: env.QUERY as unknown as Service<QueryRpc>,
    shipping: env.SHIPPING as unknown as Service<ShippingRpc>,
    notifications: env.NOTIFICATIONS as unknown as Service<NotificationsRpc>,
    router: env.ROUTER as unknown as Service<RouterRpc>,
    vault: env.VAULT as unknown as Service<VaultRpc>,
  };
}

/** The metrics store (the router's MetricsService), typed by its contract. */
export const metricsService = (env: Env) => env.METRICS as unknown as Service<MetricsRpc>;
