import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../shared/events';
import type { OrderSummary, SentMail, WebhookDelivery } from '../../shared/responses';
import { admin, call, carrierSignature, eventually, newProduct, orderBody, tokenFor } from './client';
import { shop } from './shop';

let token: string;
beforeAll(async () => {
  token = await tokenFor(`cust_${crypto.randomUUID().slice(0, 8)}`);
});

const { place, order, settled, timeline, timelineTypes, product, confirmedOrder, carrier } = shop(() => token);

describe('Idempotency-Key on POST /v1/orders', () => {
  it('turns a retry storm (20 parallel, then 20 sequential, one key) into one order', async () => {
    const sku = await newProduct(100);
    const key = `storm-${crypto.randomUUID()}`;
    const shopper = await tokenFor(`cust_storm_${crypto.randomUUID().slice(0, 8)}`);
    const parallel = await Promise.all(
      Array.from({ length: 20 }, () => place(orderBody(sku), { 'idempotency-key': key }, shopper)),
    );
    const sequential = [];
    for (let i = 0; i < 20; i++) sequential.push(await place(orderBody(sku), { 'idempotency-key': key }, shopper));

    const accepted = [...parallel, ...sequential].filter((a) => a.status === 202);
    const refused = [...parallel, ...sequential].filter((a) => a.status !== 202);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    expect(refused.map((a) => a.status).filter((status) => status !== 409)).toEqual([]);
    expect(sequential.map((a) => a.status)).toEqual(sequential.map(() => 202));
    expect(sequential.at(-1)!.headers.get('idempotent-replayed')).toBe('true');
    expect(sequential.at(-1)!.body).toEqual(accepted[0]!.body);

    await settled(accepted[0]!.body.id, 'confirmed', 10_000, shopper);
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 99 }));
  });

  it('answers 422 for the same key with another body', async () => {
    const sku = await newProduct(10);
    const key = `k-${crypto.randomUUID()}`;
    expect((await place(orderBody(sku, 1), { 'idempotency-key': key })).status).toBe(202);
    const reused = await call('POST', '/v1/orders', { token, body: orderBody(sku, 2), headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('inventory under contention', () => {
  it('confirms exactly 5 of 64 concurrent orders for the last 5 units and never goes below zero', async () => {
    const sku = await newProduct(5);
    // 64 customers, each placing one order (one customer's writes are rate-limited).
    const shoppers = await Promise.all(Array.from({ length: 64 }, (_, i) => tokenFor(`cust_race_${i}_${sku}`)));
    const placed = await Promise.all(shoppers.map((shopper) => place(orderBody(sku), {}, shopper)));
    expect(placed.map((p) => p.status)).toEqual(placed.map(() => 202));
    const finals = await Promise.all(
      placed.map((p, i) =>
        eventually(async () => {
          const current = (await call<OrderSnapshot>('GET', `/v1/orders/${p.body.id}`, { token: shoppers[i] })).body;
          expect(current.status).not.toBe('pending');
          return current;
        }, 20_000),
      ),
    );
    expect(finals.filter((o) => o.status === 'confirmed')).toHaveLength(5);
    expect(new Set(finals.filter((o) => o.status === 'cancelled').map((o) => o.cancelReason))).toEqual(new Set(['out_of_stock']));
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 0, available: 0 }));
  }, 60_000);
});

describe('customer cancel', () => {
  it('cancels a confirmed order: stock back, payment refunded, shipment called off', async () => {
    const { sku, id } = await confirmedOrder(10, 3);
    const requested = await call<OrderSnapshot>('POST', `/v1/orders/${id}/cancel`, { token });
    expect(requested.status).toBe(202);
    // Shipping alone knows whether the parcel has left: the answer says the cancellation is asked of it.
    expect(requested.body).toMatchObject({ status: 'confirmed', cancellation: 'requested' });
    expect(await settled(id, 'cancelled')).toMatchObject({ cancelReason: 'customer_request', cancellation: 'requested' });
    await eventually(async () =>
      expect(await timelineTypes(id)).toEqual(
        expect.arrayContaining([
          'order.cancellation_requested',
          'shipment.cancelled',
          'order.cancelled',
          'payment.refunded',
          'inventory.released',
        ]),
      ),
    );
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 10, available: 10 }));
  });

  it('answers 409 once the order is shipped', async () => {
    const { id } = await confirmedOrder();
    await eventually(async () => expect(await timelineTypes(id)).toContain('shipment.created'));
    expect((await carrier({ id: `wh_${crypto.randomUUID()}`, orderId: id, status: 'dispatched' })).status).toBe(200);
    await settled(id, 'shipped');
    const refused = await call('POST', `/v1/orders/${id}/cancel`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('not_cancellable');
  });
});

describe('carrier webhooks', () => {
  it('moves the order to shipped, then delivered; a replayed id changes nothing', async () => {
    const { id } = await confirmedOrder();
    await eventually(async () => expect(await timelineTypes(id)).toContain('shipment.created'));
    const dispatched = { id: `wh_${crypto.randomUUID()}`, orderId: id, status: 'dispatched', trackingNumber: 'TRK-42' };
    expect((await carrier(dispatched)).body).toEqual({ received: true, duplicate: false, status: 'dispatched' });
    expect((await settled(id, 'shipped')).trackingNumber).toBe('TRK-42');
    expect((await carrier(dispatched)).body).toEqual({ received: true, duplicate: true, status: 'dispatched' });
    expect((await carrier({ id: `wh_${crypto.randomUUID()}`, orderId: id, status: 'delivered' })).status).toBe(200);
    await settled(id, 'delivered');
    // The timeline is the read model: it follows a moment later.
    const types = await eventually(async () => {
      const now = await timelineTypes(id);
      expect(now).toEqual(expect.arrayContaining(['order.shipped', 'order.delivered', 'shipment.delivered']));
      return now;
    });
    expect(types.filter((t) => t === 'shipment.dispatched')).toHaveLength(1);
  });

  it('rejects a bad signature and a stale timestamp', async () => {
    const { id } = await confirmedOrder();
    const raw = JSON.stringify({ id: 'wh_bad', orderId: id, status: 'dispatched' });
    const forged = await call('POST', '/v1/webhooks/carrier', {
      raw,
      headers: { 'carrier-signature': await carrierSignature(raw, 'guess') },
    });
    expect(forged.status).toBe(401);
    const stale = await carrier({ id: 'wh_old', orderId: id, status: 'dispatched' }, Math.floor(Date.now() / 1000) - 600);
    expect(stale.status).toBe(401);
    expect((await order(id)).status).toBe('confirmed');
  });
});

describe('faults behind the saga', () => {
  it('declines an order whose payment provider never answers (provider_unavailable), and gives the stock back', async () => {
    const sku = await newProduct(5);
    const placed = await place(orderBody(sku, 2, 'tok_unreachable'));
    // PAYMENT_GIVE_UP_SECONDS=6 in the system topology (vars.ts): an outcome with a reason, not a dead letter.
    const cancelled = await settled(placed.body.id, 'cancelled', 20_000);
    expect(cancelled.cancelReason).toBe('payment_declined');
    const declined = await eventually(async () => {
      const events = await timeline(placed.body.id);
      const found = events.find((e) => e.type === 'payment.declined');
      expect(found).toBeDefined();
      return found!;
    });
    expect(declined.data).toMatchObject({ reason: 'provider_unavailable' });
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 5, available: 5 }));
  }, 30_000);

  it('confirms through a provider that fails twice before answering (the PaymentDO retries from its alarm)', async () => {
    const sku = await newProduct(5);
    const placed = await place(orderBody(sku, 1, 'tok_flaky'));
    await settled(placed.body.id, 'confirmed', 20_000);
  }, 30_000);
});

describe('notifications', () => {
  it('mails the customer about the confirmation', async () => {
    const { id } = await confirmedOrder();
    await eventually(async () => {
      const mail = await call<{ items: SentMail[] }>('GET', '/v1/admin/mail?limit=200', { token: admin() });
      expect(mail.body.items).toContainEqual(
        expect.objectContaining({ orderId: id, subject: expect.stringContaining('confirmed') }),
      );
    });
  });

  it('delivers signed webhooks to a receiver that fails first, with the same webhook-id each time', async () => {
    const attempts = new Map<string, number>();
    const applied = new Set<string>();
    const server = createServer((req, res) => {
      const id = String(req.headers['webhook-id']);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      req.resume();
      // The system topology dead-letters a delivery after 2 attempts (topology.setup.ts).
      if (n <= 1) return res.writeHead(503).end();
      applied.add(id);
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = await call<{ id: string; secret: string }>('POST', '/v1/admin/webhooks', {
        token: admin(),
        body: { url, eventTypes: ['order.confirmed'] },
      });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      const { id } = await confirmedOrder();
      const log = await eventually(async () => {
        const { body } = await call<{ items: WebhookDelivery[] }>('GET', `/v1/admin/webhooks/${created.body.id}/deliveries`, {
          token: admin(),
        });
        const delivery = body.items.find((d) => d.eventType === 'order.confirmed');
        expect(delivery?.status).toBe('delivered');
        return delivery!;
      }, 20_000);
      expect(log.attempts).toBe(2);
      expect(attempts.get(log.id)).toBe(2);
      expect(applied.has(log.id)).toBe(true);
      expect(id).toBeTruthy();
      expect((await call('DELETE', `/v1/admin/webhooks/${created.body.id}`, { token: admin() })).status).toBe(204);
    } finally {
      server.close();
    }
  }, 30_000);
});

describe('the read side follows every path', () => {
  it('lists cancelled and confirmed orders with their status', async () => {
    const { id } = await confirmedOrder();
    await eventually(async () => {
      const { body } = await call<{ items: OrderSummary[] }>('GET', '/v1/orders?status=confirmed&limit=100', { token });
      expect(body.items.map((o) => o.id)).toContain(id);
    });
  });
});
