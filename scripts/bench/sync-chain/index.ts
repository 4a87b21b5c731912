import { Hono } from 'hono';
import { verify } from 'hono/jwt';
import { PlaceOrderInput, ProductInput } from '../../../shared/api';
import { failClosed } from '../../../shared/config';
import { Sku } from '../../../shared/events';
import { childTraceparent } from '../../../shared/ids';
import { Stockroom } from '../../../workers/inventory/stockroom';
import { placeThroughChain } from './chain';
import { SyncChainConfig, syncChainConfig } from './config';

export { InventoryDO } from '../../../workers/inventory/inventory-do';
export { PaymentDO } from '../../../workers/payments/payment-do';
export { ShipmentDO } from '../../../workers/shipping/shipment-do';
export { KeyDO } from '../../../workers/vault/key-do';
export { VaultService } from '../../../workers/vault/service';
export { InventoryHop, NotificationsHop, PaymentsHop, ShippingHop } from './hops';

const refuse = (status: 400 | 401, code: string, message: string) => Response.json({ error: { code, message } }, { status });
const bearer = (header: string | undefined) => header?.match(/^Bearer (.+)$/)?.[1];

/** The chain's edge, as the gateway's: the same bodies, a customer's HS256 token, the operator key. */
const app = new Hono<{ Bindings: Env }>()
  .put('/v1/admin/products/:sku', async (c) => {
    if (bearer(c.req.header('authorization')) !== syncChainConfig(c.env).adminKey) {
      return refuse(401, 'invalid_admin_key', 'an operator key is required');
    }
    const sku = Sku.safeParse(c.req.param('sku'));
    const input = ProductInput.safeParse(await c.req.json().catch(() => null));
    if (!sku.success || !input.success) return refuse(400, 'invalid_request', (sku.error ?? input.error)!.message);
    const traceparent = childTraceparent(c.req.header('traceparent'));
    return c.json(await new Stockroom(c.env).upsert(sku.data, input.data, traceparent));
  })
  .post('/v1/orders', async (c) => {
    const token = bearer(c.req.header('authorization'));
    const claims = token && (await verify(token, syncChainConfig(c.env).jwtSecret, 'HS256').catch(() => null));
    if (!claims || typeof claims.sub !== 'string') return refuse(401, 'invalid_token', 'a customer token is required');
    const input = PlaceOrderInput.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return refuse(400, 'invalid_request', input.error.message);
    const answer = await placeThroughChain(c.env, claims.sub, input.data, c.req.header('traceparent'));
    return c.json(answer.body, answer.status);
  });

export default failClosed('sync-chain', SyncChainConfig, { fetch: app.fetch }) satisfies ExportedHandler<Env>;
