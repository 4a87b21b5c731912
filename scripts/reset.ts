// `npm run reset`: an empty shop. Stops a topology still running on the local state, then deletes
// the state (STATE_DIR, or .wrangler/state); .dev.vars, the local secrets, is kept.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './local.ts';
import { stopLeftover } from './processes.ts';

const persistTo = process.env.STATE_DIR ?? join(root, '.wrangler', 'state');
const stopped = await stopLeftover(join(persistTo, 'wrangler-dev.pid'), 'wrangler');
if (stopped) console.log(`Stopped the Workers running on it (process group ${stopped}).`);
rmSync(persistTo, { recursive: true, force: true });
console.log(`Deleted ${persistTo}. The next npm start begins with an empty shop and the demo catalog.`);
