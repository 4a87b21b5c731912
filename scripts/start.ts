// `npm start`: every Worker in one `wrangler dev`, local state on disk, demo data, a token.
// However it ends (Ctrl+C at any moment, `kill`, a crash), no Worker is left running.
import { join } from 'node:path';
import { customerToken, root, seedCatalog, startTopology } from './local.ts';
import { isStopping, stopOnInterrupt } from './processes.ts';

stopOnInterrupt();

const port = Number(process.env.PORT ?? 8787);
const persistTo = process.env.STATE_DIR ?? join(root, '.wrangler', 'state');
console.log(`Starting every Worker in one wrangler dev (state in ${persistTo}) …`);
try {
  const topology = await startTopology({ port, persistTo });
  // wrangler dev ending by itself ends `npm start`, with its exit code.
  topology.process.on('exit', (code) => isStopping() || process.exit(code ?? 1));
  console.log('Workers are up; adding the demo catalog …');
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
} catch (error) {
  // Stopping makes start-up fail midway; the signal handler finishes the stop and exits.
  if (isStopping()) await new Promise(() => {});
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
