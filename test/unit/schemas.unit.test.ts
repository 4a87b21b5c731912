import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_RETRIES } from '../../shared/consume';
import { Event, eventTypes, parseEvent } from '../../shared/events';
import { upcasters } from '../../shared/events/upcast';
import { newEvent } from '../../shared/publish';
import { matches, type Pattern, publications, publisherOf, subscriptions } from '../../shared/subscriptions';
import { makeOrder } from '../helpers/fixtures';

const root = join(import.meta.dirname, '..', '..');

describe('event contracts', () => {
  // A published schema version is frozen: changing its data shape fails here. To change it,
  // define version n + 1, add an upcaster from n (shared/events/upcast.ts), and record the new
  // version's snapshot with `npx vitest run --project unit -u`.
  it.each(Event.options.map((o) => [o.shape.type.value, o.shape.schemaVersion.value, o] as const))(
    '%s v%i matches its recorded contract',
    async (type, version, schema) => {
      const contract = JSON.stringify(z.toJSONSchema(schema.shape.data), null, 2);
      await expect(contract).toMatchFileSnapshot(join(root, 'test', 'contracts', `${type}.v${version}.json`));
    },
  );

  it('keeps an upcaster for every version older than the current one', () => {
    for (const file of readdirSync(join(root, 'test', 'contracts'))) {
      const [, type, version] = /^(.+)\.v(\d+)\.json$/.exec(file)!;
      const current = Event.options.find((o) => o.shape.type.value === type)?.shape.schemaVersion.value;
      expect(current, `${file} names an event type that no longer exists`).toBeDefined();
      for (let v = Number(version); v < current!; v++)
        expect(upcasters[type!]?.[v], `${type} v${v} → v${v + 1}`).toBeTypeOf('function');
    }
  });

  it('upcasts an old version, so consumers see only the current shape', () => {
    const { payment: _, ...order } = makeOrder();
    const current = newEvent(
      'notification.sent',
      { orderId: order.id, channel: 'email', to: 'c1', subject: 'Hi' },
      {
        source: 'notifications',
        subject: order.id,
        cause: null,
      },
    );
    const { channel: __, ...v1Data } = current.data;
    const parsed = parseEvent({ ...current, schemaVersion: 1, data: v1Data });
    expect(parsed).toEqual({ success: true, data: current });
  });

  it('upcasts an order event of version 1 without what it carried in clear: never the address, e-mail or token', () => {
    const current = newEvent('order.placed', makeOrder(), { source: 'orders', subject: 'o', cause: null });
    const clear = {
      ...current.data,
      shippingAddress: { name: 'Ada Lovelace', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
      email: 'ada@example.com',
      payment: { token: 'tok_visa' },
    };
    const parsed = parseEvent({ ...current, schemaVersion: 1, data: clear });
    expect(parsed.success).toBe(true);
    const text = JSON.stringify(parsed);
    for (const secret of ['Ada Lovelace', 'ada@example.com', 'tok_visa']) expect(text).not.toContain(secret);
    expect(parsed).toMatchObject({ data: { schemaVersion: 2, data: { id: current.data.id, totalCents: 3800 } } });
  });

  it('upcasts shipment.created of version 1 without its address', () => {
    const current = newEvent(
      'shipment.created',
      { orderId: crypto.randomUUID(), shipmentId: 's1' },
      { source: 'shipping', subject: 'o', cause: null },
    );
    const v1 = { ...current, schemaVersion: 1, data: { ...current.data, address: { name: 'Ada Lovelace' } } };
    expect(parseEvent(v1)).toEqual({ success: true, data: current });
  });

  it('refuses an order event whose personal data is not sealed: publishing it in clear fails', () => {
    const current = newEvent('order.confirmed', makeOrder(), { source: 'orders', subject: 'o', cause: null });
    const clear = {
      ...current.data,
      shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    };
    expect(parseEvent({ ...current, data: clear })).toMatchObject({
      success: false,
      reason: expect.stringMatching(/^data\.shippingAddress/),
    });
    expect(parseEvent({ ...current, data: { ...current.data, email: 'ada@example.com' } })).toMatchObject({ success: false });
  });

  it('rejects an unknown future version rather than guessing', () => {
    const { payment: _, ...order } = makeOrder();
    const event = newEvent('order.confirmed', order, { source: 'orders', subject: order.id, cause: null });
    expect(parseEvent({ ...event, schemaVersion: 9 })).toMatchObject({ success: false });
  });
});

describe('publications and subscriptions', () => {
  it('gives every event type exactly one publisher', () => {
    for (const type of eventTypes) {
      const publishers = Object.entries(publications).filter(([, ps]) =>
        (ps as readonly Pattern[]).some((p) => matches(p, type)),
      );
      expect(
        publishers.map(([s]) => s),
        type,
      ).toHaveLength(1);
    }
    expect(publisherOf('order.placed')).toBe('orders');
    expect(publisherOf('product.upserted')).toBe('inventory');
  });

  it('subscribes only to events somebody publishes', () => {
    for (const [subscriber, patterns] of Object.entries(subscriptions)) {
      for (const pattern of patterns) {
        expect(
          eventTypes.some((t) => matches(pattern, t) && publisherOf(t)),
          `${subscriber}: ${pattern}`,
        ).toBe(true);
      }
    }
  });

  it('configures every event inbox with the retries the consumers count on', () => {
    for (const worker of ['orders', 'inventory', 'payments', 'shipping', 'notifications', 'query', 'router']) {
      const toml = readFileSync(join(root, 'workers', worker, 'wrangler.toml'), 'utf8');
      const inbox = /queue = "conveyor-(bus|[a-z]+-inbox)"\n(?:.*\n)*?max_retries = (\d+)/.exec(toml);
      expect(Number(inbox?.[2]), worker).toBe(MAX_RETRIES);
    }
  });
});
