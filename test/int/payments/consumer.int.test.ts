import {
  createExecutionContext,
  createMessageBatch,
  evictDurableObject,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deterministicId } from '../../../shared/ids';
import { RESEND_AFTER_MS } from '../../../shared/outbox';
import worker from '../../../workers/payments';
import { handlers } from '../../../workers/payments/consumer';
import { nextWake } from '../../../workers/payments/payment';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { expectHandlesExactly, watchSends } from '../../helpers/queues';
import { rebuildAs, shapeOf, userTables, versionsOf } from '../../helpers/schema';
import { sealedCard } from '../../helpers/sealing';

/** order.placed as orders announces it: the card sealed with the keyring orders and payments share. */
async function placedWith(card = 'tok_visa', overrides: Parameters<typeof makeOrder>[0] = {}) {
  const order = makeOrder(overrides);
  return makeOrderPlaced({ ...order, payment: await sealedCard(env.PAYMENT_TOKEN_KEYS, order, card) });
}

async function deliver(...bodies: unknown[]) {
  const batch = createMessageBatch(
    'conveyor-payments-inbox',
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const stub = (orderId: string) => env.PAYMENT_DO.getByName(orderId);
const payment = (orderId: string) => stub(orderId).read();

let bus: ReturnType<typeof watchSends>;
beforeEach(() => {
  bus = watchSends(env.BUS);
});
afterEach(() => vi.restoreAllMocks());

/** Every payment.* event about the order sent to the bus, in the order sent. */
const sent = (orderId: string) => bus.events().filter((e) => e.source === 'payments' && e.subject === orderId);

/** The facts announced about the order: each event once (by id), in the order first sent. */
function staged(orderId: string) {
  const seen = new Map(sent(orderId).map((e) => [e.id, e] as const));
  return [...seen.values()];
}

const confirmed = (placed: ReturnType<typeof makeOrderPlaced>) =>
  makeEvent('order.confirmed', { ...placed.data, status: 'confirmed', version: 4 });
const cancelled = (placed: ReturnType<typeof makeOrderPlaced>) =>
  makeEvent('order.cancelled', { ...placed.data, status: 'cancelled', cancelReason: 'out_of_stock', version: 3 });

describe('payments inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('payments', handlers(env));
  });

  it('authorizes on order.placed and captures on order.confirmed', async () => {
    const placed = await placedWith();
    expect((await deliver(placed)).explicitAcks).toEqual(['m0']);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'authorized' });
    await deliver(confirmed(placed));
    expect(await payment(placed.data.id)).toMatchObject({ status: 'captured' });
    expect(staged(placed.data.id).map((e) => e.type)).toEqual(['payment.authorized', 'payment.captured']);
  });

  it('voids an authorization when the order is cancelled', async () => {
    const placed = await placedWith();
    await deliver(placed);
    await deliver(cancelled(placed));
    expect(await payment(placed.data.id)).toMatchObject({ status: 'voided' });
  });

  it('never asks the provider for an order whose cancel arrived first, and declines it (order_cancelled)', async () => {
    const placed = await placedWith();
    await deliver(cancelled(placed));
    await deliver(placed);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'voided_before_authorization' });
    expect(staged(placed.data.id)).toMatchObject([{ type: 'payment.declined', data: { reason: 'order_cancelled' } }]);
  });

  it('declines tok_chargeDeclined, and a repeat changes nothing', async () => {
    const placed = await placedWith('tok_chargeDeclined');
    await deliver(placed, placed);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'declined' });
    expect(staged(placed.data.id)).toMatchObject([{ type: 'payment.declined', data: { reason: 'card_declined' } }]);
  });

  it('declines a token the provider does not know as invalid_request, at once', async () => {
    const placed = await placedWith('tok_nonsense');
    await deliver(placed);
    expect(staged(placed.data.id)).toMatchObject([{ type: 'payment.declined', data: { reason: 'invalid_request' } }]);
  });
});

describe('payments under faults', () => {
  it('acks order.placed at once and retries a flaky provider from its own alarm until it authorizes (tok_flaky fails twice)', async () => {
    const placed = await placedWith('tok_flaky');
    const result = await deliver(placed);
    expect({ acks: result.explicitAcks, retries: result.retryMessages }).toEqual({ acks: ['m0'], retries: [] });
    expect(await payment(placed.data.id)).toMatchObject({ status: 'authorizing', attempts: 1 });
    await vi.waitFor(
      async () => {
        await runDurableObjectAlarm(stub(placed.data.id));
        expect(await payment(placed.data.id)).toMatchObject({ status: 'authorized' });
      },
      { timeout: 10_000, interval: 500 },
    );
    expect(staged(placed.data.id).map((e) => e.type)).toEqual(['payment.authorized']);
  });

  it('looks up and voids an authorization whose answer was lost when the cancel comes first (tok_lostResponse, defect 4)', async () => {
    const placed = await placedWith('tok_lostResponse');
    await deliver(placed);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'authorizing', attempts: 1 });
    await deliver(cancelled(placed));
    expect(await payment(placed.data.id)).toMatchObject({ status: 'voided', reference: `sandbox_authorize_${placed.data.id}` });
    expect(staged(placed.data.id).map((e) => e.type)).toEqual(['payment.voided']);
  });

  it('declines provider_unavailable once the deadline from placing has passed, without dead-lettering order.placed (defect 7)', async () => {
    const placedAt = new Date(Date.now() - 2 * 60_000).toISOString();
    const placed = await placedWith('tok_unreachable', { placedAt });
    const result = await deliver(placed);
    expect({ acks: result.explicitAcks, retries: result.retryMessages }).toEqual({ acks: ['m0'], retries: [] });
    expect(await payment(placed.data.id)).toMatchObject({
      status: 'unknown',
      answer: { outcome: 'declined', reason: 'provider_unavailable' },
    });
    expect(staged(placed.data.id)).toMatchObject([{ type: 'payment.declined', data: { reason: 'provider_unavailable' } }]);
  });

  it("while an announced answer waits to be sent, its alarm is never later than the resend nor the decider's own need", async () => {
    // The bus is down: the payment's answer stays in the outbox, and only the alarm will send it.
    vi.spyOn(env.BUS, 'send').mockRejectedValue(new Error('bus down'));
    vi.spyOn(env.BUS, 'sendBatch').mockRejectedValue(new Error('bus down'));
    const placed = await placedWith('tok_unreachable', { placedAt: new Date(Date.now() - 2 * 60_000).toISOString() });
    const before = Date.now();
    await deliver(placed);
    const after = Date.now();
    const state = await payment(placed.data.id);
    expect(state).toMatchObject({ status: 'unknown', answer: { outcome: 'declined' } });
    const { waiting, alarm } = await runInDurableObject(stub(placed.data.id), async (_instance, s) => ({
      waiting: s.storage.sql.exec<{ type: string }>('SELECT type FROM outbox').toArray(),
      alarm: await s.storage.getAlarm(),
    }));
    expect(waiting).toEqual([{ type: 'payment.declined' }]);
    const need = nextWake(state)!;
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Math.min(need, after + RESEND_AFTER_MS));
    expect(alarm!).toBeGreaterThanOrEqual(Math.min(need, before + RESEND_AFTER_MS));
  });

  it('keeps an unreachable provider to itself: the message is acked and the alarm is armed for the retry', async () => {
    const placed = await placedWith('tok_unreachable');
    const result = await deliver(placed, placed);
    expect({ acks: result.explicitAcks, retries: result.retryMessages }).toEqual({ acks: ['m0', 'm1'], retries: [] });
    const alarm = await runInDurableObject(stub(placed.data.id), (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now());
    expect(await payment(placed.data.id)).toMatchObject({ status: 'authorizing', attempts: 1 });
  });

  it('refunds a captured payment when the order is cancelled, once however often the cancel arrives', async () => {
    const placed = await placedWith();
    await deliver(placed);
    await deliver(confirmed(placed));
    const cancel = makeEvent('order.cancelled', {
      ...placed.data,
      status: 'cancelled',
      cancelReason: 'customer_request',
      version: 5,
    });
    await deliver(cancel, cancel);
    await deliver(cancel);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'refunded' });
    expect(staged(placed.data.id).filter((e) => e.type === 'payment.refunded')).toHaveLength(1);
  });

  it('announces the same answer again, with the id its fact names, when asked again', async () => {
    const placed = await placedWith();
    await deliver(placed);
    const id = await deterministicId(`${placed.data.id}/payment.authorized`);
    expect(sent(placed.data.id).map((e) => [e.type, e.id])).toEqual([['payment.authorized', id]]);
    await deliver(placed);
    expect(sent(placed.data.id).map((e) => [e.type, e.id])).toEqual([
      ['payment.authorized', id],
      ['payment.authorized', id],
    ]);
  });

  it('moves a payment recorded before the decider into its state, as the same facts, and drops the old table', async () => {
    const placed = await placedWith();
    const id = placed.data.id;
    await runInDurableObject(stub(id), (_instance, state) => {
      rebuildAs(state.storage.sql, [
        ...beforeTheDecider,
        "INSERT INTO _schema (component, version) VALUES ('payment', 1), ('outbox', 1)",
      ]);
      state.storage.sql.exec(
        `INSERT INTO payment (id, order_id, status, reference, amount_cents, currency, updated_at) VALUES (1, ?, 'authorized', 'pi_old', 3800, 'EUR', ?)`,
        id,
        new Date().toISOString(),
      );
    });
    await evictDurableObject(stub(id));
    expect(await payment(id)).toEqual({
      status: 'authorized',
      order: { orderId: id, amountCents: 3800, currency: 'EUR' },
      answer: { outcome: 'authorized' },
      reference: 'pi_old',
    });
    await deliver(placed);
    expect(staged(id)).toMatchObject([{ type: 'payment.authorized', data: { orderId: id } }]);
    const made = await runInDurableObject(stub(crypto.randomUUID()), (_i, state) => shapeOf(state.storage.sql));
    await runInDurableObject(stub(id), (_i, state) => {
      expect(userTables(state.storage.sql)).not.toContain('payment');
      expect(versionsOf(state.storage.sql)).toEqual({ payment: 3, outbox: 5 });
      expect(shapeOf(state.storage.sql)).toEqual(made);
    });
  });

  it('keeps the state of a payment made by the previous deploy, and its unsent answer', async () => {
    const placed = await placedWith();
    const id = placed.data.id;
    await deliver(placed);
    const [answer] = staged(id);
    const before = await payment(id);
    await runInDurableObject(stub(id), async (_instance, state) => {
      const { sql } = state.storage;
      const row = sql.exec<{ state: string; cause: string; updated_at: number }>('SELECT * FROM payment_state').one();
      rebuildAs(sql, [...beforeTheDecider, "INSERT INTO _schema (component, version) VALUES ('payment', 2), ('outbox', 1)"]);
      sql.exec(
        'CREATE TABLE payment_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, cause TEXT, updated_at INTEGER NOT NULL)',
      );
      sql.exec(
        'INSERT INTO payment_state (id, state, cause, updated_at) VALUES (1, ?, ?, ?)',
        row.state,
        row.cause,
        row.updated_at,
      );
      sql.exec(
        'INSERT INTO outbox (id, type, body, staged_at, sent_at) VALUES (?, ?, ?, ?, NULL)',
        answer!.id,
        answer!.type,
        JSON.stringify(answer),
        Date.now(),
      );
    });
    await evictDurableObject(stub(id));
    expect(await payment(id)).toEqual(before);
    await runDurableObjectAlarm(stub(id));
    expect(sent(id).map((e) => e.id)).toEqual([answer!.id, answer!.id]);
  });
});

describe('payments and the sealed payment token', () => {
  it('authorizes a replayed order.placed of a new payment with the sealed token, as the first time', async () => {
    const placed = await placedWith();
    // The archive's copy, replayed to a payments that has never seen the order: the token is read again.
    const replayed = { ...placed, id: crypto.randomUUID() };
    await deliver(replayed);
    expect(await payment(placed.data.id)).toMatchObject({ status: 'authorized' });
  });

  it('declines an order whose token cannot be read (retired key, another order’s token, none at all) without asking the provider', async () => {
    const retired = await sealedCard('old:BT1bnUYcEzgWL4Fl9DJp3yt1_rWqyVVuTZ2lnUGr9o0', makeOrder(), 'tok_visa');
    const moved = await placedWith();
    const cases = [
      makeOrderPlaced({ payment: retired }),
      makeOrderPlaced({ payment: moved.data.payment }),
      makeOrderPlaced({ payment: undefined }),
    ];
    for (const placed of cases) {
      await deliver(placed);
      expect(await payment(placed.data.id)).toMatchObject({
        status: 'declined',
        answer: { outcome: 'declined', reason: 'payment_token_unreadable' },
      });
      expect(staged(placed.data.id)).toMatchObject([{ type: 'payment.declined', data: { reason: 'payment_token_unreadable' } }]);
      // The sandbox provider keeps its intents in the object's storage: none was asked for.
      const intents = await runInDurableObject(stub(placed.data.id), (_instance, state) =>
        state.storage.sql.exec('SELECT * FROM sandbox_provider').toArray(),
      );
      expect(intents).toEqual([]);
    }
  });

  it('keeps the clear token only while authorizing: once authorized, its state holds none', async () => {
    const placed = await placedWith();
    await deliver(placed);
    const stored = await runInDurableObject(stub(placed.data.id), (_instance, state) =>
      JSON.stringify(state.storage.sql.exec('SELECT state FROM payment_state').toArray()),
    );
    expect(stored).not.toContain('tok_visa');
  });
});

/** The tables of a PaymentDO as the deploys before the decider made them: per-part record, one status column. */
const beforeTheDecider = [
  'CREATE TABLE _schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)',
  `CREATE TABLE payment (id INTEGER PRIMARY KEY CHECK (id = 1), order_id TEXT NOT NULL, status TEXT NOT NULL,
    reference TEXT, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    body TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
];
