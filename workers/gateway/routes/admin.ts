import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import { CreatedWebhook, SentMail, WebhookDelivery, WebhookSubscription } from '../../../shared/responses';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { AdminPageQuery, errors, json, PageOf } from '../schemas';

const Webhook = WebhookSubscription.openapi('WebhookSubscription');
const NewWebhook = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .openapi({
        description:
          'A public https endpoint. IP addresses, localhost, private and metadata hosts, and ports below 1024 other than 443 are refused (400 webhook_url_refused); redirects are not followed.',
      }),
    eventTypes: z
      .array(
        z.string().regex(/^(\*|[a-z]+\.(\*|[a-z_]+))$/, 'an event type such as order.confirmed, a pattern such as order.*, or *'),
      )
      .min(1)
      .max(50)
      .default(['order.*']),
    personalData: z.boolean().default(false).openapi({
      description: "Whether deliveries carry personal data (the customer's shipping address). The payment token is never sent.",
    }),
  })
  .openapi('NewWebhookSubscription');
const Delivery = WebhookDelivery.openapi('WebhookDelivery');
const Mail = SentMail.openapi('Mail');
const WebhookId = z.object({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const routes = {
  listWebhooks: createRoute({
    method: 'get',
    path: '/v1/admin/webhooks',
    tags: ['admin'],
    summary: 'Outbound webhook subscriptions',
    ...operatorRoute('read', 'webhook.list'),
    responses: {
      200: { description: 'Subscriptions', content: json(z.object({ items: z.array(Webhook) })) },
      ...errors(401, 403),
    },
  }),
  createWebhook: createRoute({
    method: 'post',
    path: '/v1/admin/webhooks',
    tags: ['admin'],
    summary: 'Subscribe an endpoint to order events',
    description: 'Deliveries are signed the Standard Webhooks way with the returned secret, shown only here.',
    ...operatorRoute('webhooks', 'webhook.create'),
    request: { body: { content: json(NewWebhook), required: true } },
    responses: {
      201: {
        description: 'Created, with its signing secret',
        content: json(CreatedWebhook.openapi('CreatedWebhookSubscription')),
      },
      ...errors(400, 401, 403),
    },
  }),
  deleteWebhook: createRoute({
    method: 'delete',
    path: '/v1/admin/webhooks/{id}',
    tags: ['admin'],
    summary: 'Remove a webhook subscription',
    ...operatorRoute('webhooks', 'webhook.delete'),
    request: { params: WebhookId },
    responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404) },
  }),
  listDeliveries: createRoute({
    method: 'get',
    path: '/v1/admin/webhooks/{id}/deliveries',
    tags: ['admin'],
    summary: "A subscription's delivery log, newest first",
    ...operatorRoute('read', 'webhook.deliveries'),
    request: { params: WebhookId, query: AdminPageQuery },
    responses: {
      200: { description: 'Deliveries', content: json(PageOf(Delivery, 'WebhookDeliveryPage')) },
      ...errors(400, 401, 403),
    },
  }),
  listMail: createRoute({
    method: 'get',
    path: '/v1/admin/mail',
    tags: ['admin'],
    summary: 'The local mail sink, newest first',
    ...operatorRoute('read', 'mail.list'),
    request: { query: AdminPageQuery },
    responses: { 200: { description: 'Mail', content: json(PageOf(Mail, 'MailPage')) }, ...errors(400, 401, 403) },
  }),
};

export function registerAdmin(app: OpenAPIHono<AppEnv>) {
  const notifications = (env: Env) => services(env).notifications;

  app.openapi(routes.listWebhooks, async (c) => c.json({ items: unwrap(await notifications(c.env).listWebhooks()) }, 200));

  app.openapi(routes.createWebhook, async (c) => {
    const { url, eventTypes, personalData } = c.req.valid('json');
    return c.json(unwrap(await notifications(c.env).createWebhook(url, eventTypes, personalData)), 201);
  });

  app.openapi(routes.deleteWebhook, async (c) => {
    unwrap(await notifications(c.env).deleteWebhook(c.req.valid('param').id));
    return c.body(null, 204);
  });

  app.openapi(routes.listDeliveries, async (c) =>
    c.json(unwrap(await notifications(c.env).listDeliveries(c.req.valid('param').id, c.req.valid('query'))), 200),
  );

  app.openapi(routes.listMail, async (c) => c.json(unwrap(await notifications(c.env).listMail(c.req.valid('query'))), 200));
}
