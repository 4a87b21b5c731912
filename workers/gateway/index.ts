import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { Traceparent } from '../../shared/events';
import { childTraceparent } from '../../shared/ids';
import { admission } from './admission';
import { auditTrail } from './audit';
import { adminAuth, customerAuth } from './auth';
import { carrierSignature } from './carrier-signature';
import { configured } from './config';
import type { AppEnv } from './context';
import { registerDashboard } from './dashboard';
import { registerDocs } from './docs';
import { notFound, onError, tooLarge, validationHook } from './errors';
import { observeRequests } from './observe';
import { clientKey, rateLimit } from './rate-limit';
import { registerAdmin } from './routes/admin';
import { registerAdminOrders } from './routes/admin-orders';
import { registerAudit } from './routes/audit';
import { registerCustomers } from './routes/customers';
import { registerMetrics } from './routes/metrics';
import { registerOperations } from './routes/operations';
import { registerOrders } from './routes/orders';
import { registerProducts } from './routes/products';
import { registerWebhooks } from './routes/webhooks';

/** Request bodies above this are refused with 413: an order of 50 lines is a few KB. */
const MAX_BODY_BYTES = 64 * 1024;

const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

app.use(requestId());
app.use(secureHeaders());
app.use(configured());
app.use(
  '/v1/*',
  cors({
    origin: '*',
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Location', 'Consistency-Token', 'Idempotent-Replayed'],
  }),
);
app.use('/v1/*', async function traceContext(c, next) {
  // A span of its own under the caller's (W3C): a retry that sends the same header is a new span.
  const incoming = c.req.header('traceparent');
  c.set('traceparent', childTraceparent(incoming && Traceparent.safeParse(incoming).success ? incoming : null));
  await next();
});
app.use('/v1/*', observeRequests());
// Server-Timing on every API answer: the time spent at the gateway, and placing's call to the orders service (`orders`).
app.use('/v1/*', timing({ totalDescription: 'gateway' }));
app.use('/v1/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge }));
app.use('/v1/orders/*', customerAuth());
const orderWrites = rateLimit(
  (env) => env.ORDER_WRITES,
  (c) => c.get('customerId'),
  10,
);
app.on('POST', ['/v1/orders', '/v1/orders/:id/cancel'], orderWrites);
app.on('POST', '/v1/orders', admission({ maxLagMs: (env) => Number(env.ADMISSION_MAX_LAG_MS) }));
const reads = rateLimit((env) => env.READS, clientKey, 10);
// A wildcard matches its bare path too (`/v1/orders/*` is `/v1/orders` as well), so each is named once.
app.on(['GET', 'HEAD'], ['/v1/products/*', '/v1/orders/*'], reads);
app.use('/v1/admin/*', reads, adminAuth(), auditTrail());
app.use('/v1/webhooks/carrier', carrierSignature());

registerOrders(app);
registerProducts(app);
registerAdmin(app);
registerOperations(app);
registerAdminOrders(app);
registerAudit(app);
registerCustomers(app);
registerMetrics(app);
registerWebhooks(app);

app.openAPIRegistry.registerComponent('securitySchemes', 'customer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
app.openAPIRegistry.registerComponent('securitySchemes', 'admin', { type: 'http', scheme: 'bearer' });
app.doc31('/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Conveyor', version: '0.1.0', description: 'Event-driven orders at the edge.' },
});
registerDocs(app);
registerDashboard(app);

app.onError(onError);
app.notFound(notFound);

export default app satisfies ExportedHandler<Env>;
