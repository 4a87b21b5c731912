import * as z from 'zod';
import { OrderSnapshot, OrderStatus } from './events';
import { Hop } from './metrics-api';
import { OrderView } from './personal-data';

/**
 * What the services answer the gateway, and the gateway its clients: declared once, here. The
 * services' RPC contracts (shared/rpc.ts) are their `z.infer`, the gateway names them for the
 * OpenAPI document (`.openapi('Name')`), and the dashboard and the tests read answers with them.
 * Request bodies are in shared/api.ts.
 */

/** One page of a list, newest first; `nextCursor` fetches the next (null: this was the last). */
export const Page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `?limit=&cursor=` of the admin lists (mail, deliveries, dead letters, exceptions). */
export const AdminPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('From the previous page’s `nextCursor`'),
});
export type AdminPageQuery = z.infer<typeof AdminPageQuery>;

export const Freshness = z
  .object({
    projectedAt: z.string().nullable().describe('When the read model last took in an event; null before the first'),
    lastEventAt: z.string().nullable().describe('When the newest event it has taken in happened'),
  })
  .describe('How fresh a read-model answer is');
export type Freshness = z.infer<typeof Freshness>;

/** An order as lists show it (the read model's row). */
export const OrderSummary = OrderSnapshot.omit({ customerId: true, shippingAddress: true, email: true });
export type OrderSummary = z.infer<typeof OrderSummary>;

export const OrderList = Page(OrderSummary).extend({
  freshness: Freshness,
  consistent: z.boolean().optional().describe('With a consistency token: whether the list includes that write'),
});
export type OrderList = z.infer<typeof OrderList>;

export const TimelineEntry = z.object({
  id: z.string(),
  type: z.string(),
  source: z.string(),
  occurredAt: z.string(),
  data: z.unknown(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Timeline = z.object({
  events: z.array(TimelineEntry),
  freshness: Freshness,
  hops: z
    .array(Hop)
    .optional()
    .describe('Per event: time to the router, then the wait and handler time at each consumer (where spans were recorded)'),
});
export type Timeline = z.infer<typeof Timeline>;

export const SalesReport = z.object({
  sales: z.array(
    z.object({ day: z.string(), sku: z.string(), currency: z.string(), units: z.number(), revenueCents: z.number() }),
  ),
  ordersByStatus: z.record(z.string(), z.number()),
  freshness: Freshness,
});
export type SalesReport = z.infer<typeof SalesReport>;

/** An order flagged for an operator (order.flagged). */
export const OrderException = z.object({
  orderId: z.string(),
  kind: z
    .enum(['overdue', 'dispatched_after_cancellation'])
    .describe(
      '`overdue`: a step another service owns (capture, shipment, commit, a compensation) stayed unanswered after ' +
        'being asked again; it is still asked for, with backoff. `dispatched_after_cancellation`: the carrier reported ' +
        'a parcel whose shipment had been called off; the order stays cancelled and refunded, and the goods must be recovered.',
    ),
  steps: z.array(z.string()).describe('For `overdue`: the steps that were late when it was flagged'),
  flaggedAt: z.string(),
  status: OrderStatus.nullable().describe("The order's status now, from the read model"),
});
export type OrderException = z.infer<typeof OrderException>;

export const ExceptionList = z.object({ items: z.array(OrderException), freshness: Freshness });
export type ExceptionList = z.infer<typeof ExceptionList>;

/** What an order's saga still waits for. */
export const SagaBookkeeping = z.object({
  awaiting: z
    .array(z.string())
    .describe(
      'Steps other services still owe the order: stock, payment (while pending); capture, commit, shipment (once ' +
        'confirmed); callOff (a cancellation asked of shipping); stockBack, paymentBack (once cancelled)',
    ),
  nudges: z.number().describe('How often the open steps were asked for again'),
  waitingSince: z.string(),
  nextDeadline: z
    .string()
    .nullable()
    .describe('When the order asks again (a pending one: cancels); null when it waits for nothing'),
});
export type SagaBookkeeping = z.infer<typeof SagaBookkeeping>;

/** An order as operators see it: the order (its personal data opened, or marked gone), and the steps other services still owe it. */
export const OrderInspection = OrderView.extend(SagaBookkeeping.shape);
export type OrderInspection = z.infer<typeof OrderInspection>;

/** A mail as the sink kept it (MAIL_PROVIDER=sink), or as it was handed to the provider. */
export const SentMail = z.object({
  id: z.string(),
  orderId: z.string(),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
export type SentMail = z.infer<typeof SentMail>;

export const WebhookSubscription = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  personalData: z
    .boolean()
    .describe("Whether deliveries carry personal data (the customer's shipping address); never the payment token"),
  createdAt: z.string(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

/** A new subscription, with its signing secret: shown once, at creation. */
export const CreatedWebhook = WebhookSubscription.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const WebhookDelivery = z.object({
  id: z.string().describe('Also the `webhook-id` header receivers dedup on'),
  subscriptionId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z
    .enum(['pending', 'delivered', 'failed'])
    .describe('`failed`: its attempts are spent and it waits in the dead letters for a redrive'),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const DeadLetterSummary = z.object({
  id: z.string(),
  queue: z.string().describe('Where the message came from, and where a redrive sends it'),
  reason: z.string().describe('Why it failed for good: for a handler or receiver, the attempts and the last error'),
  attempts: z.number(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  orderId: z.string().nullable().describe('The order the message is about'),
  endpoint: z.string().nullable().describe('For a webhook delivery: the receiver it could not reach'),
  times: z.number().describe('How often it was dead-lettered (more than once: a redrive failed again)'),
  firstAt: z.string(),
  lastAt: z.string(),
});
export type DeadLetterSummary = z.infer<typeof DeadLetterSummary>;

export const DeadLetterDetail = DeadLetterSummary.extend({
  status: z.enum(['dead', 'redriven']),
  redrivenAt: z.string().nullable(),
  body: z.unknown().describe('The message as it was sent'),
});
export type DeadLetterDetail = z.infer<typeof DeadLetterDetail>;

export const ReplayAnswer = z.object({ events: z.number(), sent: z.record(z.string(), z.number()) });
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;

export const RebuildAnswer = z.object({ events: z.number(), tables: z.array(z.string()) });
export type RebuildAnswer = z.infer<typeof RebuildAnswer>;
