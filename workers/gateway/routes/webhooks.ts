import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { CarrierWebhook } from '../../../shared/api';
import { unwrap } from '../../../shared/errors';
import { type AppEnv, services } from '../context';
import { errors, json } from '../schemas';

const carrier = createRoute({
  method: 'post',
  path: '/v1/webhooks/carrier',
  tags: ['webhooks'],
  summary: "The carrier's shipment updates",
  description:
    'Signed: `Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the carrier secret>`, within 5 minutes. ' +
    'A webhook id seen before is acknowledged and ignored.',
  request: { body: { content: json(CarrierWebhook.openapi('CarrierWebhook')), required: true } },
  responses: {
    200: {
      description: 'Received',
      content: json(
        z.object({
          received: z.literal(true),
          duplicate: z.boolean(),
          status: z.string().nullable(),
          exception: z.literal('dispatched_after_cancellation').optional().openapi({
            description: 'The shipment had been called off: recorded for an operator, not shipped silently.',
          }),
        }),
      ),
    },
    ...errors(400, 401, 404, 409),
  },
});

export function registerWebhooks(app: OpenAPIHono<AppEnv>) {
  app.openapi(carrier, async (c) => {
    const update = c.req.valid('json');
    c.set('orderId', update.orderId);
    const result = unwrap(await services(c.env).shipping.carrierUpdate(update, c.get('traceparent')));
    return c.json({ received: true as const, ...result }, 200);
  });
}
