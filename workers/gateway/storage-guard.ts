import type { Context } from 'hono';
import { AppError, unwrap } from '../../shared/errors';
import { type AppEnv, services } from './context';
import { boundedWait } from './waits';

/**
 * A Durable Object gets storage when it is first used, so a read for a made-up id must never reach
 * one: each would leave an empty database behind. Product reads are let through only for SKUs in
 * the catalog listing (D1), order reads only for orders the read model (D1) knows are the caller's.
 */

/** How long an order read waits for a just-placed order to be projected before answering 404. */
const PROJECTION_WAIT_MS = 2_000;
/** Orders known to be their customer's, per isolate: read again without asking the read model. */
const KNOWN_TTL_MS = 10 * 60_000;
const KNOWN_MAX = 10_000;
const known = new Map<string, number>();

/** Remembers that `orderId` is `customerId`'s (the gateway just placed it, or the read model said so). */
export function rememberOrder(customerId: string, orderId: string, now = Date.now()): void {
  const key = `${customerId}\n${orderId}`;
  known.delete(key);
  known.set(key, now + KNOWN_TTL_MS);
  if (known.size > KNOWN_MAX) known.delete(known.keys().next().value!);
}

function remembered(customerId: string, orderId: string, now = Date.now()): boolean {
  const until = known.get(`${customerId}\n${orderId}`);
  return until !== undefined && until > now;
}

const orderNotFound = () => new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });

/**
 * Lets a read of `orderId` through only when it is the caller's order: placed through this gateway
 * a moment ago, or in the read model (waiting, boundedly, for a just-placed one to be projected).
 * Anything else is `404 order_not_found`, another customer's order included, before any Durable
 * Object is touched.
 */
export async function assertKnownOrder(c: Context<AppEnv>, orderId: string): Promise<void> {
  const customerId = c.get('customerId');
  if (remembered(customerId, orderId)) return;
  const has = await boundedWait(c, `customer:${customerId}`, async () =>
    unwrap(await services(c.env).query.hasOrder(orderId, customerId, PROJECTION_WAIT_MS)),
  );
  if (!has) throw orderNotFound();
  rememberOrder(customerId, orderId);
}

/**
 * Lets a read of `sku` through only when the catalog listing has it; otherwise `404
 * product_not_found`, before its Durable Object is touched. The listing is written before an
 * upsert answers, so a product is found as soon as it exists.
 */
export async function assertListedProduct(env: Env, sku: string): Promise<void> {
  const { items } = unwrap(await services(env).inventory.listProducts(1, justBefore(sku)));
  if (items[0]?.sku !== sku) {
    throw new AppError({ code: 'product_not_found', message: `no product ${sku}`, status: 404 });
  }
}

/**
 * The listing's cursor means "after this SKU"; this is a string below `sku` with no SKU between
 * them (SKUs are ASCII, and U+FFFF sorts above every ASCII character).
 */
function justBefore(sku: string): string {
  return `${sku.slice(0, -1)}${String.fromCharCode(sku.charCodeAt(sku.length - 1) - 1)}\uffff`;
}
