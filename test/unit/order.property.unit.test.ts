import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, evolve, initialOrder, type Order, type OrderCommand } from '../../workers/orders/order';
import { makePlaceOrder } from '../helpers/fixtures';

const now = new Date('2026-11-28T10:00:00.000Z');
const reply = fc.constantFrom<OrderCommand>(
  { type: 'RecordStock', outcome: 'reserved' },
  { type: 'RecordStock', outcome: 'rejected' },
  { type: 'RecordPayment', outcome: 'authorized' },
  { type: 'RecordPayment', outcome: 'declined' },
);

function run(commands: OrderCommand[]): Order {
  let state = initialOrder;
  for (const command of commands) state = decide(command, state, now).reduce(evolve, state);
  return state;
}

/** What the order must end as, given the first stock answer and the first payment answer. */
function expected(stock: 'reserved' | 'rejected', payment: 'authorized' | 'declined', first: 'stock' | 'payment') {
  if (stock === 'reserved' && payment === 'authorized') return { status: 'confirmed' };
  if (stock === 'rejected' && payment === 'declined') {
    return { status: 'cancelled', cancelReason: first === 'stock' ? 'out_of_stock' : 'payment_declined' };
  }
  return { status: 'cancelled', cancelReason: stock === 'rejected' ? 'out_of_stock' : 'payment_declined' };
}

describe('order saga under any delivery order (property)', () => {
  it('reaches the same final state for every ordering of one stock and one payment reply, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('reserved' as const, 'rejected' as const),
        fc.constantFrom('authorized' as const, 'declined' as const),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (stock, payment, stockCopies, paymentCopies, stockFirst) => {
          const s: OrderCommand = { type: 'RecordStock', outcome: stock };
          const p: OrderCommand = { type: 'RecordPayment', outcome: payment };
          const replies = stockFirst
            ? [s, p, ...Array(stockCopies).fill(s), ...Array(paymentCopies).fill(p)]
            : [p, s, ...Array(paymentCopies).fill(p), ...Array(stockCopies).fill(s)];
          const final = run([makePlaceOrder(), ...replies]);
          expect(final).toMatchObject(expected(stock, payment, stockFirst ? 'stock' : 'payment'));
        },
      ),
    );
  });

  it('never leaves pending once both kinds of reply have arrived, and versions never skip', () => {
    fc.assert(
      fc.property(fc.array(reply, { maxLength: 12 }), (replies) => {
        const place = makePlaceOrder();
        let state = decide(place, initialOrder, now).reduce(evolve, initialOrder);
        for (const command of replies) {
          const events = decide(command, state, now);
          const next = events.reduce(evolve, state);
          expect(next.version).toBe(state.version + events.length);
          state = next;
        }
        const firstStock = replies.find((r) => r.type === 'RecordStock');
        const firstPayment = replies.find((r) => r.type === 'RecordPayment');
        if (firstStock && firstPayment) expect(state.status).not.toBe('pending');
        // Only the first answer of each kind counts: confirmed exactly when both first answers were yes.
        const bothYes = firstStock?.outcome === 'reserved' && firstPayment?.outcome === 'authorized';
        expect(state.status === 'confirmed').toBe(bothYes);
      }),
    );
  });
});
