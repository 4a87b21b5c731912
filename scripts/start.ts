// `npm start`: every Worker in one `wrangler dev`, local state in .wrangler/state, demo data, a token.
import { join } from 'node:path';
import { customerToken, root, seedCatalog, startTopology } from './local.ts';

const port = Number(process.env.PORT ?? 8787);
console.log('Starting every Worker in one wrangler dev …');
const topology = await startTopology({ port, persistTo: join(root, '.wrangler', 'state') });
const added = await seedCatalog(topology.url);
const token = await customerToken('cust_demo');
const base = `http://localhost:${port}`;

console.log(`
Conveyor is running.
  API        ${base}/v1/products
  Docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)
  Catalog    ${added} demo products added (existing ones kept)

A token for customer cust_demo (or: npm run token -- <customerId>):
  export TOKEN=${token}

Place an order:
  curl -s ${base}/v1/orders -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '{"items":[{"sku":"TSHIRT-BLK-M","quantity":2}],"shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"payment":{"token":"tok_visa"}}'

Press Ctrl+C to stop.
`);

const shutdown = async () => {
  await topology.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
topology.process.on('exit', (code) => process.exit(code ?? 1));
