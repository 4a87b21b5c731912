import type { CarrierWebhook, PlaceOrderInput, ProductInput } from './api';
import type { Reply } from './errors';
import type { OrderSnapshot, OrderStatus, ProductSnapshot } from './events';

/**
 * What each service offers the gateway over its service binding. The services implement these,
 * and the gateway types its bindings with them, so neither side imports the other's code.
 */
export interface OrdersRpc extends Rpc.WorkerEntrypointBranded {
  placeOrder(
    customerId: string,
    input: PlaceOrderInput,
    traceparent: string,
    idempotencyKey?: string,
  ): Promise<Reply<PlacedOrder>>;
  getOrder(orderId: string): Promise<Reply<OrderSnapshot>>;
  cancelOrder(orderId: string, traceparent: string): Promise<Reply<OrderSnapshot>>;
}

/** A placed order, and whether this answer is the replay of an earlier request with the same key. */
export interface PlacedOrder {
  order: OrderSnapshot;
  replayed: boolean;
}

export interface InventoryRpc extends Rpc.WorkerEntrypointBranded {
  listProducts(limit: number, cursor?: string): Promise<Reply<Page<ProductSnapshot>>>;
  getProduct(sku: string): Promise<Reply<ProductSnapshot>>;
  upsertProduct(sku: string, input: ProductInput, traceparent: string): Promise<Reply<ProductSnapshot>>;
}

export interface ShippingRpc extends Rpc.WorkerEntrypointBranded {
  carrierUpdate(webhook: CarrierWebhook, traceparent: string): Promise<Reply<{ duplicate: boolean; status: string | null }>>;
}

export interface NotificationsRpc extends Rpc.WorkerEntrypointBranded {
  listMail(limit: number): Promise<Reply<SentMail[]>>;
  listWebhooks(): Promise<Reply<WebhookSubscription[]>>;
  createWebhook(url: string, eventTypes: string[]): Promise<Reply<WebhookSubscription & { secret: string }>>;
  deleteWebhook(id: string): Promise<Reply<void>>;
  listDeliveries(subscriptionId: string, limit: number): Promise<Reply<WebhookDelivery[]>>;
}

export interface SentMail {
  id: string;
  orderId: string;
  to: string;
  subject: string;
  body: string;
  createdAt: string;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  eventTypes: string[];
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
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
