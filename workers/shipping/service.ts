import { WorkerEntrypoint } from 'cloudflare:workers';
import { CarrierWebhook } from '../../shared/api';
import { AppError, reply, unwrap } from '../../shared/errors';
import type { ShippingRpc } from '../../shared/rpc';

/** Shipping as the gateway calls it: carrier webhooks, already verified by the gateway. */
export class ShippingService extends WorkerEntrypoint<Env> implements ShippingRpc {
  async carrierUpdate(webhook: CarrierWebhook, traceparent: string) {
    return reply(async () => {
      const parsed = CarrierWebhook.safeParse(webhook);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      return unwrap(await this.env.SHIPMENT_DO.getByName(parsed.data.orderId).carrierUpdate(parsed.data, traceparent));
    });
  }
}
