import { expect, inject } from 'vitest';
import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import type { TimelineEntry } from '../../shared/responses';
import { type Answer, call, carrierSignature, eventually, newProduct, orderBody, placeOrder } from './client';

/**
 * What the system tests do as a customer, a carrier and a shop would, defined once: each takes the
 * customer's token where it acts for one.
 */
export function shop(token: () => string) {
  const place = (body: unknown, headers: Record<string, string> = {}, as = token()) =>
    placeOrder<OrderSnapshot & { consistencyToken: string }>(as, body, headers);

  async function order(id: string, as = token()) {
    const answer = await call<OrderSnapshot>('GET', `/v1/orders/${id}`, { token: as });
    if (answer.status !== 200) throw new Error(`GET /v1/orders/${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** The order once it has reached `status` (eventually: the saga runs behind the API). */
  const settled = (id: string, status: string, ms = 10_000, as = token()) =>
    eventually(async () => {
      const current = await order(id, as);
      expect(current.status).toBe(status);
      return current;
    }, ms);

  const timeline = async (id: string, as = token()) =>
    (await call<{ events: TimelineEntry[] }>('GET', `/v1/orders/${id}/timeline`, { token: as })).body.events;

  const timelineTypes = async (id: string, as = token()) => (await timeline(id, as)).map((e) => e.type);

  const product = async (sku: string) => (await call<ProductSnapshot>('GET', `/v1/products/${sku}`)).body;

  /** A new product and a confirmed order of `quantity` of it. */
  async function confirmedOrder(stock = 10, quantity = 2) {
    const sku = await newProduct(stock);
    const placed = await place(orderBody(sku, quantity));
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    await settled(placed.body.id, 'confirmed');
    return { sku, id: placed.body.id, placed };
  }

  /** A signed carrier webhook, as the carrier sends it. */
  async function carrier(
    payload: object,
    t?: number,
  ): Promise<Answer<{ received: boolean; duplicate: boolean; status: string; exception?: string }>> {
    const raw = JSON.stringify(payload);
    const signature = await carrierSignature(raw, inject('carrierSecret'), t);
    return call('POST', '/v1/webhooks/carrier', { raw, headers: { 'carrier-signature': signature } });
  }

  return { place, order, settled, timeline, timelineTypes, product, confirmedOrder, carrier };
}
