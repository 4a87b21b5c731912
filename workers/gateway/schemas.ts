import { z } from '@hono/zod-openapi';
import { PlaceOrderInput, ProductInput } from '../../shared/api';
import { errorCodeNames, errorCodes } from '../../shared/error-codes';
import { OrderStatus, ProductSnapshot } from '../../shared/events';
import { OrderView } from '../../shared/personal-data';
import * as responses from '../../shared/responses';

const codeTable = [
  '| code | status | meaning |',
  '| --- | --- | --- |',
  ...Object.entries(errorCodes).map(([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`),
].join('\n');

/** The HTTP shapes of the public API, named for the OpenAPI document. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodeNames).openapi({ description: `What was refused and why, one of:\n\n${codeTable}` }),
      message: z.string().openapi({ description: 'The same for people: names the field, claim, scope or limit at fault' }),
      requestId: z.string().openapi({ description: 'Also the `X-Request-Id` header; finds the request in the log' }),
    }),
  })
  .openapi('Error');

export const PlaceOrderBody = PlaceOrderInput.openapi('PlaceOrder');
export const Order = OrderView.openapi('Order');
export const Product = ProductSnapshot.openapi('Product');
export const ProductBody = ProductInput.openapi('ProductInput');

export const Freshness = responses.Freshness.openapi('Freshness');
export const OrderSummary = responses.OrderSummary.openapi('OrderSummary');
export const OrderList = responses.OrderList.extend({ items: z.array(OrderSummary), freshness: Freshness }).openapi('OrderList');

export const PlacedOrder = OrderView.extend({
  consistencyToken: z.string().openapi({ description: 'Pass to GET /v1/orders to read this write back' }),
}).openapi('PlacedOrder');

export const Timeline = responses.Timeline.extend({ freshness: Freshness }).openapi('Timeline');

export const ProductList = z
  .object({ items: z.array(ProductSnapshot), nextCursor: z.string().nullable() })
  .openapi('ProductList');

export const Limit = z.coerce.number().int().min(1).max(100).default(20);
export const ListOrdersQuery = z.object({
  status: OrderStatus.optional(),
  from: z.iso.datetime().optional().openapi({ description: 'Placed at or after' }),
  to: z.iso.datetime().optional().openapi({ description: 'Placed at or before' }),
  limit: Limit,
  cursor: z.string().max(500).optional(),
  consistencyToken: z.string().max(500).optional().openapi({
    description:
      'From POST /v1/orders, and only the customer it was issued to: wait (up to 2 s) until the list includes that order',
  }),
});
/** `?limit=&cursor=` of the admin lists (mail, deliveries, dead letters). */
export const AdminPageQuery = responses.AdminPageQuery;
/** `?limit=` of the admin lists that answer one page (exceptions). */
export const AdminListQuery = responses.AdminPageQuery.pick({ limit: true });
/** A page of `item`s, named for the OpenAPI document. */
export const PageOf = <T extends z.ZodType>(item: T, name: string) => responses.Page(item).openapi(name);
export const ListProductsQuery = z.object({ limit: Limit, cursor: z.string().max(100).optional() });

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** Error responses, for `responses` of a route: each status lists the codes it can carry. */
export function errors(...statuses: ErrorStatus[]) {
  const codesOf = (status: number) =>
    Object.entries(errorCodes)
      .filter(([, e]) => e.status === status)
      .map(([code]) => `\`${code}\``)
      .join(', ');
  return Object.fromEntries(
    statuses.map((s) => [s, { description: `One of ${codesOf(s)}`, content: { 'application/json': { schema: ErrorSchema } } }]),
  );
}

/** A JSON body of `schema`, for `request.body.content` and `responses[…].content`. */
export const json = <T>(schema: T) => ({ 'application/json': { schema } });
