import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import type { ChainAnswer } from '../../../scripts/bench/sync-chain/chain';

/** What each hop of the chain waits per call in these tests (vitest.config.ts). */
export const LATENCY_MS = Number(env.SIMULATED_LATENCY_MS);

/** A product in the chain's own catalog, with a SKU unique to the test. */
export async function newProduct(stock: number) {
  const sku = `CHAIN-${crypto.randomUUID().slice(0, 8)}`;
  const response = await SELF.fetch(`https://chain/v1/admin/products/${sku}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${env.ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Product ${sku}`, priceCents: 1500, currency: 'EUR', stock }),
  });
  if (response.status !== 200) throw new Error(`creating ${sku}: ${response.status} ${await response.text()}`);
  return sku;
}

/** Places an order through the chain as a customer; answers the status, the body and the client's wait. */
export async function placeOrder(sku: string, quantity: number) {
  const token = await sign({ sub: 'cust_chain', exp: Math.floor(Date.now() / 1000) + 600 }, env.JWT_SECRET, 'HS256');
  const started = Date.now();
  const response = await SELF.fetch('https://chain/v1/orders', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      items: [{ sku, quantity }],
      shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
      payment: { token: 'tok_visa' },
    }),
  });
  const body = (await response.json()) as ChainAnswer['body'];
  return { status: response.status, body, ms: Date.now() - started };
}

export const available = async (sku: string) => (await env.INVENTORY_DO.getByName(sku).read())?.available;

export const mailsOf = async (orderId: string) =>
  (await env.MAIL_DB.prepare('SELECT subject FROM mail WHERE order_id = ?').bind(orderId).all<{ subject: string }>()).results;
