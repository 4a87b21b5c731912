import { beforeAll, describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../shared/events';
import type { OrderInspection } from '../../shared/responses';
import { admin, call, eventually, newProduct, orderBody, tokenFor } from './client';
import { shop } from './shop';

// The promises of the README's "Guarantees", against the whole topology (issue 7).

let token: string;
beforeAll(async () => {
  token = await tokenFor(`cust_${crypto.randomUUID().slice(0, 8)}`);
});
const customer = shop(() => token);

const inspect = async (id: string) => (await call<OrderInspection>('GET', `/v1/admin/orders/${id}`, { token: admin() })).body;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a replay or a late redrive of order.placed', () => {
  it('leaves stock, payment and sales as they were: never a second sale of the same units', async () => {
    const started = new Date().toISOString();
    const sku = await newProduct(3);
    const first = await customer.place(orderBody(sku, 3));
    await customer.settled(first.body.id, 'confirmed');
    await eventually(async () => expect(await customer.product(sku)).toMatchObject({ stock: 0, available: 0 }));
    await eventually(async () => expect((await inspect(first.body.id)).awaiting).toEqual([]));

    // What an operator's replay, or a dead letter redriven late, delivers: the same order.placed again.
    const replayed = await call<{ events: number; sent: Record<string, number> }>('POST', '/v1/admin/replay', {
      token: admin(),
      body: { from: started, to: new Date().toISOString(), types: ['order.placed'], subscribers: ['inventory', 'payments'] },
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body.sent).toMatchObject({ inventory: 1, payments: 1 });
    await pause(1_500);

    expect(await customer.product(sku)).toMatchObject({ stock: 0, available: 0 });
    expect(await customer.order(first.body.id)).toMatchObject({ status: 'confirmed' });
    const types = await customer.timelineTypes(first.body.id);
    expect(types.filter((t) => t === 'inventory.reserved' || t === 'payment.authorized' || t === 'inventory.rejected')).toEqual(
      expect.arrayContaining(['inventory.reserved', 'payment.authorized']),
    );
    expect(types).not.toContain('inventory.rejected');
    expect(types).not.toContain('inventory.released');

    // The shelf is empty, and stays so: a second order of the same 3 units is out of stock.
    const second = await customer.place(orderBody(sku, 3));
    expect(await customer.settled(second.body.id, 'cancelled')).toMatchObject({ cancelReason: 'out_of_stock' });
    expect(await customer.product(sku)).toMatchObject({ stock: 0, available: 0 });
  }, 40_000);
});

describe('a customer cancel racing the carrier', () => {
  it('ends each of 20 orders shipped with its money captured, or cancelled with nothing shipped and the money back', async () => {
    const sku = await newProduct(40);
    const shoppers = await Promise.all(Array.from({ length: 20 }, (_, i) => tokenFor(`cust_race_${i}_${sku}`)));
    const orders = await Promise.all(
      shoppers.map(async (as) => {
        const placed = await customer.place(orderBody(sku, 1), {}, as);
        expect(placed.status, JSON.stringify(placed.body)).toBe(202);
        return { id: placed.body.id, as };
      }),
    );
    // Each order confirmed and its shipment created: the parcel is ready for the carrier.
    await Promise.all(
      orders.map(({ id }) =>
        eventually(async () => expect(await inspect(id)).toMatchObject({ status: 'confirmed', awaiting: [] })),
      ),
    );

    // At the same moment: the customer cancels, the carrier picks the parcel up.
    const raced = await Promise.all(
      orders.map(async ({ id, as }) => {
        const [cancel, dispatch] = await Promise.all([
          call<OrderSnapshot>('POST', `/v1/orders/${id}/cancel`, { token: as }),
          customer.carrier({ id: `wh_${crypto.randomUUID()}`, orderId: id, status: 'dispatched' }),
        ]);
        return { id, as, cancel, dispatch };
      }),
    );

    let shipped = 0;
    for (const { id, as, cancel, dispatch } of raced) {
      expect([202, 409]).toContain(cancel.status);
      expect(dispatch.status).toBe(200);
      const final = await eventually(async () => {
        const now = await inspect(id);
        expect(['shipped', 'cancelled']).toContain(now.status);
        expect(now.awaiting).toEqual([]);
        return now;
      }, 20_000);
      const types = await eventually(async () => {
        const seen = await customer.timelineTypes(id, as);
        expect(seen).toContain(final.status === 'shipped' ? 'order.shipped' : 'payment.refunded');
        return seen;
      });
      if (final.status === 'shipped') {
        shipped += 1;
        expect(dispatch.body).toMatchObject({ status: 'dispatched' });
        expect(types).toContain('payment.captured');
        expect(types).not.toContain('payment.refunded');
      } else {
        // Shipping called the shipment off first; the carrier's late pickup is an exception, never a shipment.
        expect(types).not.toContain('shipment.dispatched');
        expect(types).toEqual(expect.arrayContaining(['shipment.cancelled', 'order.cancelled', 'inventory.released']));
        expect(dispatch.body).toMatchObject({ status: 'cancelled', exception: 'dispatched_after_cancellation' });
        expect(final.exception).toBe('dispatched_after_cancellation');
      }
    }
    // Every unit is accounted for: shipped ones left the shelf, cancelled ones came back.
    await eventually(async () =>
      expect(await customer.product(sku)).toMatchObject({ stock: 40 - shipped, available: 40 - shipped }),
    );
    const exceptions = await call<{ items: { orderId: string; kind: string }[] }>('GET', '/v1/admin/exceptions?limit=200', {
      token: admin(),
    });
    const cancelledIds = raced.filter((r) => r.dispatch.body.status === 'cancelled').map((r) => r.id);
    await eventually(async () => {
      const listed = (await call<{ items: { orderId: string }[] }>('GET', '/v1/admin/exceptions?limit=200', { token: admin() }))
        .body;
      expect(listed.items.map((e) => e.orderId)).toEqual(expect.arrayContaining(cancelledIds));
    });
    expect(exceptions.status).toBe(200);
  }, 90_000);
});
