import { sign } from 'hono/jwt';
import { inject } from 'vitest';
import type * as z from 'zod';

/** A small HTTP client for the gateway, as a shop's front end would call it. */
export const url = () => inject('gatewayUrl');

export async function tokenFor(customerId: string) {
  return sign({ sub: customerId, exp: Math.floor(Date.now() / 1000) + 3600 }, inject('jwtSecret'), 'HS256');
}

/** The error body every 4xx/5xx answer carries. */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the gateway; `T` is the body the caller expects (an {@link ErrorBody} for a 4xx). */
export async function call<T = ErrorBody>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${url()}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/**
 * Calls the gateway and reads the answer with the contract's own schema (shared/responses.ts):
 * a status other than `status`, or a body that breaks the contract, fails the test.
 *
 * @example
 * const { items } = await read(Page(DeadLetterSummary), 'GET', '/v1/admin/dead-letters', { token: admin() });
 */
export async function read<S extends z.ZodType>(
  schema: S,
  method: string,
  path: string,
  options: Parameters<typeof call>[2] & { status?: number } = {},
): Promise<z.infer<S>> {
  const answer = await call<unknown>(method, path, options);
  const expected = options.status ?? (method === 'POST' ? [200, 201, 202] : [200]);
  if (![expected].flat().includes(answer.status)) {
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return schema.parse(answer.body);
}

export const admin = () => inject('adminKey');

/** Calls a gateway at `base`: a topology a test starts on its own, not the shared one. */
export async function requestAt<T>(base: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Creates a product with a SKU unique to this run. The orders service learns of it through a
 * product.upserted event, so it may take a moment before orders for it are accepted: see
 * {@link placeOrder}.
 */
export async function newProduct(stock: number, priceCents = 1000) {
  const sku = `SYS-${crypto.randomUUID().slice(0, 8)}`;
  const answer = await call('PUT', `/v1/admin/products/${sku}`, {
    token: admin(),
    body: { name: `Product ${sku}`, priceCents, currency: 'EUR', stock },
  });
  if (answer.status !== 200) throw new Error(`creating ${sku}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return sku;
}

/** Retries `check` until it stops throwing, or fails with its last error after `ms`. */
export async function eventually<T>(check: () => Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export const address = { name: 'Ada Lovelace', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** An order body for `sku`; override the card with `card`. */
export function orderBody(sku: string, quantity = 1, card = 'tok_visa') {
  return { items: [{ sku, quantity }], shippingAddress: address, payment: { token: card } };
}

/** Signs a carrier webhook body as the carrier does. */
export async function carrierSignature(body: string, secret: string, t = Math.floor(Date.now() / 1000)) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${t}.${body}`));
  return `t=${t},v1=${Buffer.from(mac).toString('hex')}`;
}

/**
 * Places an order, retrying while the orders service's catalog replica has not yet heard of a
 * just-created SKU (eventual consistency: `422 unknown_sku` for a moment after the upsert).
 */
export async function placeOrder<T>(token: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  return eventually(async () => {
    const answer = await call<T>('POST', '/v1/orders', { token, body, headers });
    const code = (answer.body as ErrorBody | null)?.error?.code;
    if (code === 'unknown_sku') throw new Error(`the catalog replica has not caught up yet: ${JSON.stringify(answer.body)}`);
    return answer;
  }, 20_000);
}
