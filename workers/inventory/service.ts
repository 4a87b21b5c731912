import { WorkerEntrypoint } from 'cloudflare:workers';
import { ProductInput } from '../../shared/api';
import { AppError, type Reply, reply } from '../../shared/errors';
import { type ProductSnapshot, Sku } from '../../shared/events';
import type { InventoryRpc } from '../../shared/rpc';
import { listProducts } from './catalog';
import { Stockroom } from './stockroom';

/** The catalog as the gateway calls it (RPC over a service binding). */
export class InventoryService extends WorkerEntrypoint<Env> implements InventoryRpc {
  /** A page of products with availability, from the listing (eventually consistent). */
  async listProducts(limit: number, cursor?: string) {
    return reply(() => listProducts(this.env.DB, limit, cursor));
  }

  /** One product, read from its Durable Object (or its buckets', summed; strongly consistent). */
  async getProduct(sku: string): Promise<Reply<ProductSnapshot>> {
    return reply(async () => {
      const product = await new Stockroom(this.env).read(sku);
      if (!product) throw new AppError({ code: 'product_not_found', message: `no product ${sku}`, status: 404 });
      return product;
    });
  }

  /** Creates or updates a product; `stock` is set absolutely, `buckets` splits a hot SKU's stock. */
  async upsertProduct(sku: string, input: ProductInput, traceparent: string): Promise<Reply<ProductSnapshot>> {
    return reply(async () => {
      const parsed = ProductInput.safeParse(input);
      if (!parsed.success || !Sku.safeParse(sku).success) {
        throw new AppError({ code: 'invalid_request', message: parsed.error?.message ?? 'invalid SKU', status: 400 });
      }
      return new Stockroom(this.env).upsert(sku, parsed.data, traceparent);
    });
  }
}
