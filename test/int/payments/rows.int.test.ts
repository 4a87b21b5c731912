import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { PaymentDO } from '../../../workers/payments/payment-do';
import { makeEvent, makeOrderPlaced } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { sealedCard } from '../../helpers/sealing';

describe('rows a payment writes in its Durable Object, as SQLite counts them', () => {
  it('authorizes and captures in 19 rows: its tables, its record, 4 state changes, 2 events staged and sent, an alarm set per state change', async () => {
    const order = makeOrder();
    const placed = makeOrderPlaced({ ...order, payment: await sealedCard(env.PAYMENT_TOKEN_KEYS, order, 'tok_visa') });
    const stub = env.PAYMENT_DO.getByName(placed.data.id);
    await stub.authorize(placed.data, placed);
    const confirmed = makeEvent('order.confirmed', { ...placed.data, status: 'confirmed', version: 4 });
    await stub.capture(confirmed.data, confirmed);
    expect(await stub.read()).toMatchObject({ status: 'captured' });
    // The sandbox provider's own rows stand in for the provider's storage: not ours, not counted.
    const written = await runInDurableObject(stub, (instance: PaymentDO) => instance.rowsWritten.byTable());
    expect(written).toEqual({
      // One setAlarm() per state change (billed as a row written each): a change that stages events arms the
      // earlier of the resend and the decider's need once, not twice.
      '(alarm)': 4,
      _schema_versions: 1,
      '_schema_versions (schema)': 2,
      outbox: 4,
      'outbox (schema)': 2,
      // authorizing (written before the provider is asked), authorized, capturing, captured
      payment_state: 4,
      'payment_state (schema)': 2,
    });
  });
});
