import * as z from 'zod';

/**
 * One message on `conveyor-webhooks`: a delivery to attempt, and what it is about, so that the
 * delivery's dead letter tells an operator which event, order and endpoint failed without a lookup.
 * Only `deliveryId` is read to deliver (the payload and URL are read from the delivery's row).
 */
export const WebhookJob = z.object({
  deliveryId: z.string().min(1),
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  orderId: z.string().nullable().optional(),
  subscriptionId: z.string().optional(),
  endpoint: z.string().optional(),
});
export type WebhookJob = z.infer<typeof WebhookJob>;

/**
 * Attempts of a delivery an operator redrove from the dead letters: a receiver still down sends it
 * back to the list within seconds (retries after 1 s and 2 s), not after another full schedule.
 */
export const REDRIVE_ATTEMPTS = 3;
