// What every bench run orders with: an operator, a shop's customers, a new product and an order of it.
import { customerToken, devVars } from '../local.ts';

/** An HTTP answer, as fetch or wrangler's test harness returns it. */
export type Answer = { status: number; url: string; text(): Promise<string> };

/** The JSON answer, read as `T`, if its status is one of `ok`; any other status stops the bench. */
export async function expectStatus<T = unknown>(response: Answer, ...ok: number[]): Promise<T> {
  const text = await response.text();
  if (!ok.includes(response.status)) throw new Error(`${response.url}: ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * The local operator's headers, 500 customers (one customer's writes are rate-limited, 60 per 10 s;
 * a shop's many customers are not), a SKU named `<PREFIX>-<time>` and the body of an order of one.
 */
export async function benchShop(prefix: string) {
  const admin = { authorization: `Bearer ${devVars().ADMIN_API_KEY}`, 'content-type': 'application/json' };
  const customers = await Promise.all(
    Array.from({ length: 500 }, async (_, i) => ({
      authorization: `Bearer ${await customerToken(`cust_${prefix.toLowerCase()}_${i}`)}`,
      'content-type': 'application/json',
    })),
  );
  const sku = `${prefix}-${Date.now().toString(36).toUpperCase()}`;
  const orderBody = JSON.stringify({
    items: [{ sku, quantity: 1 }],
    shippingAddress: { name: 'Bench', line1: '1 Loop', city: 'Berlin', postalCode: '10115', country: 'DE' },
    payment: { token: 'tok_visa' },
  });
  return { admin, customers, sku, orderBody };
}
