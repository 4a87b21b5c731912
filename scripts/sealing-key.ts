// `npm run sealing-key -- <kid>`: makes a key for a keyring secret such as PAYMENT_TOKEN_KEYS
// (`kid:key[,kid:key…]`, the first entry seals, every entry opens). Put the new entry first to
// rotate; drop an old one once nothing sealed under it is still needed.
import { newKeyringEntry } from '../shared/sealed.ts';

const [kid] = process.argv.slice(2);
if (!kid || !/^[A-Za-z0-9_.-]{1,64}$/.test(kid)) {
  console.error('usage: npm run sealing-key -- <key id, e.g. 2026-12>');
  process.exit(2);
}
console.log(
  `keyring entry (put it first in PAYMENT_TOKEN_KEYS, comma-separated, on orders and payments alike):\n  ${newKeyringEntry(kid)}`,
);
