// `npm run token -- <customerId>`: prints a customer JWT signed with the local JWT_SECRET.
import { customerToken } from './local.ts';

const customerId = process.argv[2];
if (!customerId) {
  console.error('usage: npm run token -- <customerId>');
  process.exit(2);
}
console.log(await customerToken(customerId));
