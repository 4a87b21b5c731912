// `npm run deploy -- --setup` creates the account's resources once; `npm run deploy` ships a release.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subscribers } from '../shared/subscriptions.ts';
import { configs, databases, root, run } from './local.ts';

process.env.CONVEYOR_ONLINE = '1';
const queues = ['conveyor-bus', ...subscribers.map((s) => `conveyor-${s}-inbox`)].flatMap((q) => [q, `${q}-dlq`]);

async function ignoreExisting(args: string[]) {
  try {
    await run(args, false);
  } catch (error) {
    if (!/already exists|already taken|11009|10004/i.test(String(error))) throw error;
    console.log(`  (exists) ${args.slice(0, 4).join(' ')}`);
  }
}

async function setup() {
  for (const queue of queues) await ignoreExisting(['queues', 'create', queue]);
  await ignoreExisting(['r2', 'bucket', 'create', 'conveyor-archive']);
  for (const { config, name } of databases) {
    await ignoreExisting(['d1', 'create', name]);
    const info = JSON.parse(await run(['d1', 'info', name, '--json'])) as { uuid: string };
    const path = join(root, config);
    const toml = readFileSync(path, 'utf8').replace(/database_id = "[^"]*"/, `database_id = "${info.uuid}"`);
    writeFileSync(path, toml);
    console.log(`  ${name}: ${info.uuid} → ${config}`);
  }
  console.log('\nNow set the gateway secrets: npx wrangler secret put JWT_SECRET (and ADMIN_API_KEY, CARRIER_WEBHOOK_SECRET)');
}

async function release() {
  for (const { config, name } of databases) await run(['d1', 'migrations', 'apply', name, '--remote', '-c', config], false);
  // Services first, the gateway last: its service bindings need them in place.
  const [gateway, ...services] = configs;
  for (const config of [...services, gateway!]) await run(['deploy', '-c', config], false);
}

await (process.argv.includes('--setup') ? setup() : release());
