import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors';
import {
  announce,
  askedAgain,
  decide,
  evolve,
  type Fact,
  initialOrder,
  type Order,
  type OrderCommand,
  type OrderState,
  type SagaPolicy,
} from '../../workers/orders/order';
import { makePlaceOrder } from '../helpers/fixtures';

const t0 = Date.parse('2026-11-29T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);
const policy: SagaPolicy = { timeoutMs: 30_000, maxNudges: 2 };
const observe = (fact: Fact): OrderCommand => ({ type: 'Observe', fact });

/** Given these commands, the order; each at t0 unless timed. */
function given(...commands: (OrderCommand | [OrderCommand, number])[]): Order {
  return commands.reduce<Order>((state, c) => {
    const [command, ms] = Array.isArray(c) ? c : [c, 0];
    return decide(command, state, at(ms)).reduce(evolve, state);
  }, initialOrder);
}

const placed = () => given(makePlaceOrder());
const confirmed = () => given(makePlaceOrder(), observe('inventory.reserved'), observe('payment.authorized'));
const state = (order: Order) => order as OrderState;
const types = (command: OrderCommand, order: Order, ms = 0) => decide(command, order, at(ms)).map((e) => e.type);

describe('placing and confirming', () => {
  it('confirms once stock and payment are both in, in either order', () => {
    expect(state(confirmed())).toMatchObject({ status: 'confirmed', awaiting: ['capture', 'commit', 'shipment'] });
    const other = given(makePlaceOrder(), observe('payment.authorized'), observe('inventory.reserved'));
    expect(state(other).status).toBe('confirmed');
  });

  it('cancels on a rejection, and then waits only for what may have been taken', () => {
    const order = state(given(makePlaceOrder(), observe('inventory.rejected')));
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'out_of_stock', awaiting: ['paymentBack'] });
  });

  it('refuses to place the same order twice, with a code and no HTTP in the domain', () => {
    expect(() => decide(makePlaceOrder(), placed(), at(0))).toThrow(DomainError);
  });
});

describe('a late or repeated message changes nothing', () => {
  const facts: Fact[] = ['inventory.reserved', 'inventory.rejected', 'payment.authorized', 'payment.declined'];
  it.each(facts)('%s after the order confirmed', (fact) => {
    expect(types(observe(fact), confirmed())).toEqual([]);
  });

  it('a second payment.captured once the capture is done', () => {
    const captured = given(
      makePlaceOrder(),
      observe('inventory.reserved'),
      observe('payment.authorized'),
      observe('payment.captured'),
    );
    expect(types(observe('payment.captured'), captured)).toEqual([]);
  });
});

describe('cancellation has one authority: shipping', () => {
  it('cancels a pending order at once', () => {
    expect(state(given(makePlaceOrder(), { type: 'CancelOrder' }))).toMatchObject({
      status: 'cancelled',
      cancelReason: 'customer_request',
    });
  });

  it('only asks shipping to cancel a confirmed order (issue 7, defect 2)', () => {
    const asked = state(
      given(makePlaceOrder(), observe('inventory.reserved'), observe('payment.authorized'), { type: 'CancelOrder' }),
    );
    expect(asked).toMatchObject({ status: 'confirmed', cancellation: 'requested' });
    expect(asked.awaiting).toContain('callOff');
    expect(types({ type: 'CancelOrder' }, asked)).toEqual([]);
  });

  it('cancels once shipping called the shipment off, and then waits for stock and money back', () => {
    const order = state(
      given(
        makePlaceOrder(),
        observe('inventory.reserved'),
        observe('payment.authorized'),
        { type: 'CancelOrder' },
        observe('shipment.cancelled'),
      ),
    );
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'customer_request' });
    expect(order.awaiting.sort()).toEqual(['paymentBack', 'stockBack']);
  });

  it('goes on when the parcel has left, and says the cancellation was refused', () => {
    const order = state(
      given(
        makePlaceOrder(),
        observe('inventory.reserved'),
        observe('payment.authorized'),
        { type: 'CancelOrder' },
        observe('shipment.dispatched'),
      ),
    );
    expect(order).toMatchObject({ status: 'shipped', cancellation: 'refused' });
    expect(() => decide({ type: 'CancelOrder' }, order, at(0))).toThrow(/already shipped/);
  });

  it('flags a dispatch the carrier reports after the shipment was called off, once', () => {
    const order = given(makePlaceOrder(), { type: 'CancelOrder' }, observe('shipment.exception'));
    expect(state(order).exception).toBe('dispatched_after_cancellation');
    expect(types(observe('shipment.exception'), order)).toEqual([]);
  });
});

describe('every step has a deadline (issue 7, defect 6)', () => {
  it('asks again for overdue replies, then cancels a pending order with timeout', () => {
    let order = placed();
    const nudge = decide({ type: 'CheckDeadline', policy }, order, at(30_000));
    expect(nudge).toMatchObject([{ type: 'SagaNudged', data: { attempt: 1, steps: ['stock', 'payment'] } }]);
    expect(askedAgain(nudge[0] as Extract<(typeof nudge)[0], { type: 'SagaNudged' }>)).toEqual(['order.placed']);
    order = given(makePlaceOrder(), [{ type: 'CheckDeadline', policy }, 30_000], [{ type: 'CheckDeadline', policy }, 60_000]);
    expect(types({ type: 'CheckDeadline', policy }, order, 90_000)).toEqual(['OrderCancelled']);
  });

  it('asks again for a capture, commit or shipment lost after confirmation, with backoff, and flags it for an operator', () => {
    let order = confirmed();
    expect(types({ type: 'CheckDeadline', policy }, order, 29_000)).toEqual([]);
    const first = decide({ type: 'CheckDeadline', policy }, order, at(30_000));
    expect(first.map((e) => e.type)).toEqual(['SagaNudged']);
    order = first.reduce(evolve, order);
    // The next ask comes after twice the timeout, and the order is flagged once it is maxNudges late.
    expect(types({ type: 'CheckDeadline', policy }, order, 30_000 + 59_000)).toEqual([]);
    expect(types({ type: 'CheckDeadline', policy }, order, 30_000 + 60_000)).toEqual(['SagaNudged', 'OrderFlagged']);
  });

  it('waits for nothing once every step is done', () => {
    const done = given(
      makePlaceOrder(),
      observe('inventory.reserved'),
      observe('payment.authorized'),
      observe('payment.captured'),
      observe('inventory.committed'),
      observe('shipment.created'),
    );
    expect(state(done).awaiting).toEqual([]);
    expect(types({ type: 'CheckDeadline', policy }, done, 10 * 3_600_000)).toEqual([]);
  });
});

describe('what the world hears', () => {
  it('names each event by the fact it states, so announcing it again carries the same id', () => {
    const order = state(confirmed());
    const event = { type: 'OrderConfirmed' as const, data: { at: order.updatedAt } };
    expect(announce(event, order)).toMatchObject({ type: 'order.confirmed', key: `${order.id}/order.confirmed` });
    expect(announce(event, order)?.key).toBe(announce(event, { ...order, version: 99 })?.key);
  });
});
