import type { PlaceOrderInput, ProductInput } from './api';
import type { Reply } from './errors';
import type { OrderSnapshot, OrderStatus, ProductSnapshot } from './events';

/**
 * What each service offers the gateway over its service binding. The services implement these,
 * and the gateway types its bindings with them, so neither side imports the other's code.
 */
export interface OrdersRpc extends Rpc.WorkerEntrypointBranded {
  placeOrder(customerId: string, input: PlaceOrderInput, traceparent: string): Promise<Reply<OrderSnapshot>>;
  getOrder(orderId: string): Promise<Reply<OrderSnapshot>>;
}

export interface InventoryRpc extends Rpc.WorkerEntrypointBranded {
  listProducts(limit: number, cursor?: string): Promise<Reply<Page<ProductSnapshot>>>;
  getProduct(sku: string): Promise<Reply<ProductSnapshot>>;
  upsertProduct(sku: string, input: ProductInput, traceparent: string): Promise<Reply<ProductSnapshot>>;
}

export interface QueryRpc extends Rpc.WorkerEntrypointBranded {
  listOrders(query: ListOrdersQuery): Promise<Reply<Page<OrderSummary> & { freshness: Freshness }>>;
  timeline(orderId: string): Promise<Reply<{ events: TimelineEntry[]; freshness: Freshness }>>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListOrdersQuery {
  customerId: string;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

/** An order as lists show it (the read model's row). */
export type OrderSummary = Omit<OrderSnapshot, 'customerId' | 'shippingAddress'>;

/** How fresh a read-model answer is. */
export interface Freshness {
  /** When the read model last took in an event; null before the first. */
  projectedAt: string | null;
  /** When the newest event it has taken in happened. */
  lastEventAt: string | null;
}

export interface TimelineEntry {
  id: string;
  type: string;
  source: string;
  occurredAt: string;
  data: unknown;
}
