import { sign } from 'hono/jwt';
import { inject } from 'vitest';

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
  options: { token?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${url()}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export const admin = () => inject('adminKey');

/** Creates a product with a SKU unique to this run. */
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
export async function eventually<T>(check: () => Promise<T>, ms = 10_000): Promise<T> {
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
