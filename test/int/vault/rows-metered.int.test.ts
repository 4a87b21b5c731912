import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import type { KeyDO } from '../../../workers/vault/key-do';
import { address } from '../../helpers/fixtures';
import { expectOk } from '../../helpers/reply';

// A file of its own: no other object of this isolate writes while it counts.
it("hands the rows a customer's KeyDO writes to the metrics as billable rows written", async () => {
  const points = vi.spyOn(env.ANALYTICS, 'writeDataPoint');
  const customerId = `cust_${crypto.randomUUID().slice(0, 8)}`;
  const personal = { shippingAddress: JSON.stringify(address) };
  for (let i = 0; i < 2; i++) expectOk(await exports.VaultService.seal(customerId, crypto.randomUUID(), personal));
  const counted = () =>
    points.mock.calls
      .map(([point]) => point!)
      .filter((p) => p.blobs?.includes('op=do_row_written') && p.blobs.includes('store=KeyDO'))
      .reduce((sum, p) => sum + p.doubles![0]!, 0);
  const stub = env.KEY_DO.getByName(customerId);
  const written = await runInDurableObject(stub, (instance: KeyDO) => instance.rowsWritten.byTable());
  const total = Object.values(written).reduce((a, b) => a + b, 0);
  // Its tables and the key once, then one row per order sealed.
  expect(written.sealed_orders).toBe(2);
  await vi.waitFor(() => expect(counted()).toBe(total));
});
