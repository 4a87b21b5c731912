import type { CarrierWebhook, PlaceOrderInput, ProductInput, ReplayInput } from './api';
import type { AuditEntry, AuditQuery } from './audit';
import type { Write } from './consistency';
import type { Reply } from './errors';
import type { OrderSnapshot, OrderStatus, ProductSnapshot } from './events';
import type { OrderView } from './personal-data';

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

/** An order as operators see it: the order, and the steps other services still owe it. */
export type OrderInspection = OrderView & SagaBookkeeping;

/** What the order's saga still waits for. */
export type SagaBookkeeping = {
  /** Steps still open (stock, payment, capture, commit, shipment, callOff, stockBack, paymentBack). */
  awaiting: string[];
  /** How often the open steps were asked for again. */
  nudges: number;
  waitingSince: string;
  /** When the order next asks again (or cancels a pending order); null when it waits for nothing. */
  nextDeadline: string | null;
};

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
  listMail(limit: number): Promise<Reply<SentMail[]>>;
  listWebhooks(): Promise<Reply<WebhookSubscription[]>>;
  createWebhook(
    url: string,
    eventTypes: string[],
    personalData?: boolean,
  ): Promise<Reply<WebhookSubscription & { secret: string }>>;
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
  /** Whether deliveries carry personal data (the shipping address); never the payment token. */
  personalData: boolean;
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

export interface RouterRpc extends Rpc.WorkerEntrypointBranded {
  listDeadLetters(limit: number): Promise<Reply<DeadLetterSummary[]>>;
  getDeadLetter(id: string): Promise<Reply<DeadLetterDetail>>;
  redriveDeadLetter(id: string): Promise<Reply<DeadLetterDetail>>;
  discardDeadLetter(id: string): Promise<Reply<void>>;
  replay(input: ReplayInput): Promise<Reply<{ events: number; sent: Partial<Record<string, number>> }>>;
  recordAudit(entry: AuditEntry): Promise<Reply<void>>;
  listAudit(query: AuditQuery): Promise<Reply<Page<AuditEntry>>>;
  /** How far behind the platform runs (ms), as the router last measured it; null before the first batch. */
  lag(): Promise<Reply<{ lagMs: number; measuredAt: string } | null>>;
}

export interface DeadLetterSummary {
  id: string;
  /** The queue the message came from, where a redrive sends it back. */
  queue: string;
  reason: string;
  attempts: number;
  eventId: string | null;
  eventType: string | null;
  /** How often this message was dead-lettered (more than once: a redrive failed again). */
  times: number;
  firstAt: string;
  lastAt: string;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  status: 'dead' | 'redriven';
  redrivenAt: string | null;
  /** The message as it was sent. */
  body: unknown;
}

export interface QueryRpc extends Rpc.WorkerEntrypointBranded {
  listOrders(query: ListOrdersQuery): Promise<Reply<OrderList>>;
  salesReport(from: string, to: string): Promise<Reply<SalesReport>>;
  rebuild(): Promise<Reply<{ events: number; tables: string[] }>>;
  timeline(orderId: string): Promise<Reply<{ events: TimelineEntry[]; freshness: Freshness }>>;
  /** Whether the read model holds `orderId` for `customerId`, waiting at most `waitMs` for it to arrive. */
  hasOrder(orderId: string, customerId: string, waitMs: number): Promise<Reply<boolean>>;
  listExceptions(limit: number): Promise<Reply<{ items: OrderException[]; freshness: Freshness }>>;
}

/** An order flagged for an operator (order.flagged). */
export interface OrderException {
  orderId: string;
  kind: 'overdue' | 'dispatched_after_cancellation';
  /** For `overdue`: the steps that were late when it was flagged. */
  steps: string[];
  flaggedAt: string;
  /** The order's status now, from the read model. */
  status: OrderStatus | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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

/** An order as lists show it (the read model's row). */
export type OrderSummary = Omit<OrderSnapshot, 'customerId' | 'shippingAddress' | 'email'>;

export interface OrderList extends Page<OrderSummary> {
  freshness: Freshness;
  /** With a consistency token: whether the list includes that write (it waited up to 2 s for it). */
  consistent?: boolean;
}

export interface SalesReport {
  sales: { day: string; sku: string; currency: string; units: number; revenueCents: number }[];
  ordersByStatus: Record<string, number>;
  freshness: Freshness;
}

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
