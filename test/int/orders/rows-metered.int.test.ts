import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import type { OrderDO } from '../../../workers/orders/order-do';
import { CONFIRMING_FACTS, makeCause, makePlaceOrder, traceparent } from '../../helpers/fixtures';

// A file of its own: no other object of this isolate writes while it counts.
it('hands the rows it counts to the metrics as billable rows written, a data point per burst of writes', async () => {
  const points = vi.spyOn(env.ANALYTICS, 'writeDataPoint');
  const command = makePlaceOrder();
  const stub = env.ORDER_DO.getByName(command.data.id);
  await stub.place(command, traceparent);
  for (const fact of CONFIRMING_FACTS) await stub.handle({ type: 'Observe', fact }, makeCause());
  const counted = () =>
    points.mock.calls
      .map(([point]) => point!)
      .filter((p) => p.blobs?.includes('op=do_row_written') && p.blobs.includes('store=OrderDO'))
      .map((p) => p.doubles![0]!);
  await vi.waitFor(() => expect(counted().reduce((a, b) => a + b, 0)).toBe(27));
  const written = await runInDurableObject(stub, (instance: OrderDO) => instance.rowsWritten.byTable());
  expect(Object.values(written).reduce((a, b) => a + b, 0)).toBe(27);
  // Seven calls (place, five answers, the send after placing), fewer points than statements.
  expect(counted().length).toBeLessThanOrEqual(7);
});
