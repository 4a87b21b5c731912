import type { CarrierWebhook, PlaceOrderInput, ProductInput, ReplayInput } from './api';
import type { AuditEntry, AuditQuery } from './audit';
import type { Write } from './consistency';
import type { Reply } from './errors';
import type { OrderStatus, ProductSnapshot } from './events';
import type { OrderView } from './personal-data';
import type {
  AdminPageQuery,
  CreatedWebhook,
  DeadLetterDetail,
  DeadLetterSummary,
  ExceptionList,
  OrderInspection,
  OrderList,
  Page,
  RebuildAnswer,
  ReplayAnswer,
  SalesReport,
  SentMail,
  Timeline,
  WebhookDelivery,
  WebhookSubscription,
} from './responses';

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
  ): Promise<Reply<PlaceOrderAnswer>>;
  getOrder(orderId: string): Promise<Reply<OrderView>>;
  cancelOrder(orderId: string, traceparent: string): Promise<Reply<OrderView>>;
  inspectOrder(orderId: string): Promise<Reply<OrderInspection>>;
  /** Each order's status now (null: never placed), read from its Durable Object. */
  orderStatuses(orderIds: string[]): Promise<Reply<Record<string, OrderStatus | null>>>;
}

/** A placed order, and whether this answer is the replay of an earlier request with the same key. */
export interface PlaceOrderAnswer {
  order: OrderView;
  replayed: boolean;
}

export interface InventoryRpc extends Rpc.WorkerEntrypointBranded {
  listProducts(limit: number, cursor?: string): Promise<Reply<Page<ProductSnapshot>>>;
  getProduct(sku: string): Promise<Reply<ProductSnapshot>>;
  upsertProduct(sku: string, input: ProductInput, traceparent: string): Promise<Reply<ProductSnapshot>>;
}

export interface ShippingRpc extends Rpc.WorkerEntrypointBranded {
  carrierUpdate(
    webhook: CarrierWebhook,
    traceparent: string,
  ): Promise<Reply<{ duplicate: boolean; status: string | null; exception?: 'dispatched_after_cancellation' }>>;
}

export interface NotificationsRpc extends Rpc.WorkerEntrypointBranded {
  listMail(page: AdminPageQuery): Promise<Reply<Page<SentMail>>>;
  listWebhooks(): Promise<Reply<WebhookSubscription[]>>;
  createWebhook(url: string, eventTypes: string[], personalData?: boolean): Promise<Reply<CreatedWebhook>>;
  deleteWebhook(id: string): Promise<Reply<void>>;
  listDeliveries(subscriptionId: string, page: AdminPageQuery): Promise<Reply<Page<WebhookDelivery>>>;
}

export interface RouterRpc extends Rpc.WorkerEntrypointBranded {
  listDeadLetters(page: AdminPageQuery): Promise<Reply<Page<DeadLetterSummary>>>;
  getDeadLetter(id: string): Promise<Reply<DeadLetterDetail>>;
  redriveDeadLetter(id: string): Promise<Reply<DeadLetterDetail>>;
  discardDeadLetter(id: string): Promise<Reply<void>>;
  replay(input: ReplayInput): Promise<Reply<ReplayAnswer>>;
  recordAudit(entry: AuditEntry): Promise<Reply<void>>;
  listAudit(query: AuditQuery): Promise<Reply<Page<AuditEntry>>>;
  /** How far behind each bus shard runs, as its router last measured it; none before the first batch. */
  lag(): Promise<Reply<BusLag[]>>;
}

/** How far behind one bus shard runs: the longest an event waited on it (ms), and when that was measured. */
export interface BusLag {
  shard: number;
  lagMs: number;
  measuredAt: string;
}

export interface QueryRpc extends Rpc.WorkerEntrypointBranded {
  listOrders(query: ListOrdersQuery): Promise<Reply<OrderList>>;
  salesReport(from: string, to: string): Promise<Reply<SalesReport>>;
  rebuild(): Promise<Reply<RebuildAnswer>>;
  timeline(orderId: string): Promise<Reply<Omit<Timeline, 'hops'>>>;
  /** Whether the read model holds `orderId` for `customerId`, waiting at most `waitMs` for it to arrive. */
  hasOrder(orderId: string, customerId: string, waitMs: number): Promise<Reply<boolean>>;
  listExceptions(limit: number): Promise<Reply<ExceptionList>>;
}

export interface ListOrdersQuery {
  customerId: string;
  status?: OrderStatus;
  /** Placed at or after (ISO date-time). */
  from?: string;
  /** Placed at or before (ISO date-time). */
  to?: string;
  limit: number;
  cursor?: string;
  /** The customer's own write (from a consistency token the gateway checked): wait until the list includes it. */
  awaitWrite?: Write;
}
