import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PaymentDO } from '../../../workers/payments/payment-do';
import { bothWays } from '../../helpers/schema';

describe('PaymentDO schema', () => {
  it("makes a new object's tables at once, as the steps since the first deploy arrive at them", async () => {
    await runInDurableObject(env.PAYMENT_DO.getByName(crypto.randomUUID()), (_i, state) => {
      const { made, replayed } = bothWays(state.storage, PaymentDO.schema);
      expect(made).toEqual(replayed);
    });
  });
});
