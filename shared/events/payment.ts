import * as z from 'zod';
import { defineEvent } from './envelope';
import { Cents, Currency } from './order';

const Payment = z.object({
  orderId: z.uuid(),
  paymentId: z.string(),
  amountCents: Cents,
  currency: Currency,
});

export const PaymentAuthorized = defineEvent('payment.authorized', Payment);
export const PaymentDeclined = defineEvent('payment.declined', Payment.extend({ reason: z.string() }));
export const PaymentCaptured = defineEvent('payment.captured', Payment);
export const PaymentVoided = defineEvent('payment.voided', Payment);
export const PaymentRefunded = defineEvent('payment.refunded', Payment);
