// `npm run admin-key -- <name> <scope[+scope…]>`: makes an operator key. Prints the key (give it to
// the operator; it is shown once) and the ADMIN_KEYS entry that holds only its hash.
import { createHash, randomBytes } from 'node:crypto';
import { Scope } from '../shared/audit.ts';

const scopes: readonly string[] = Scope.options;
const [name, scope] = process.argv.slice(2);
if (!name || !/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(name) || !scope?.split('+').every((s) => scopes.includes(s))) {
  console.error(`usage: npm run admin-key -- <name> <scope[+scope…]>   (scopes: ${scopes.join(', ')})`);
  process.exit(2);
}
const key = `cvk_${randomBytes(32).toString('base64url')}`;
const entry = `${name}:${scope}:${createHash('sha256').update(key).digest('hex')}`;
console.log(`key (give it to ${name}; it is not stored anywhere):\n  ${key}\n`);
console.log(`ADMIN_KEYS entry (append it, comma-separated: npx wrangler secret put ADMIN_KEYS):\n  ${entry}`);
