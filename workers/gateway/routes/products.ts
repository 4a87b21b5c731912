import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { unwrap } from '../../../shared/errors';
import { Sku } from '../../../shared/events';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { errors, json, ListProductsQuery, Product, ProductBody, ProductList } from '../schemas';
import { assertListedProduct } from '../storage-guard';

const SkuParam = z.object({ sku: Sku.openapi({ param: { name: 'sku', in: 'path' } }) });

const listProducts = createRoute({
  method: 'get',
  path: '/v1/products',
  tags: ['catalog'],
  summary: 'The catalog with prices and availability',
  request: { query: ListProductsQuery },
  responses: { 200: { description: 'A page of products, by SKU', content: json(ProductList) }, ...errors(400) },
});

const getProduct = createRoute({
  method: 'get',
  path: '/v1/products/{sku}',
  tags: ['catalog'],
  summary: 'One product, with availability now',
  request: { params: SkuParam },
  responses: { 200: { description: 'The product', content: json(Product) }, ...errors(400, 404) },
});

const upsertProduct = createRoute({
  method: 'put',
  path: '/v1/admin/products/{sku}',
  tags: ['admin'],
  summary: 'Create or update a product; stock is set absolutely',
  ...operatorRoute('catalog', 'product.upsert'),
  request: { params: SkuParam, body: { content: json(ProductBody), required: true } },
  responses: { 200: { description: 'The product as saved', content: json(Product) }, ...errors(400, 401, 403) },
});

export function registerProducts(app: OpenAPIHono<AppEnv>) {
  app.openapi(listProducts, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(unwrap(await services(c.env).inventory.listProducts(limit, cursor)), 200);
  });

  app.openapi(getProduct, async (c) => {
    const { sku } = c.req.valid('param');
    await assertListedProduct(c.env, sku);
    return c.json(unwrap(await services(c.env).inventory.getProduct(sku)), 200);
  });

  app.openapi(upsertProduct, async (c) => {
    const saved = await services(c.env).inventory.upsertProduct(
      c.req.valid('param').sku,
      c.req.valid('json'),
      c.get('traceparent'),
    );
    return c.json(unwrap(saved), 200);
  });
}
