// `npm run rebuild`: rebuilds every read model from the event archive and swaps it in.
// Against http://localhost:8787 by default; set CONVEYOR_URL and ADMIN_API_KEY for another deployment.
import { devVars } from './local.ts';

const url = process.env.CONVEYOR_URL ?? 'http://localhost:8787';
const key = process.env.ADMIN_API_KEY ?? devVars().ADMIN_API_KEY;
const response = await fetch(`${url}/v1/admin/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
const body = await response.text();
if (!response.ok) {
  console.error(`rebuild failed: ${response.status} ${body}`);
  process.exit(1);
}
const { events, tables } = JSON.parse(body) as { events: number; tables: string[] };
console.log(`rebuilt ${tables.join(', ')} from ${events} archived events`);
