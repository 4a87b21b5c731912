import type { PlaceOrderInput } from '../../../shared/api';
import type { OrderSnapshot } from '../../../shared/events';
import { sealPaymentToken, sealPersonal, type VaultRpc } from '../../../shared/personal-data';
import { newEvent } from '../../../shared/publish';
import { syncChainConfig } from './config';
import type { Refusal, Step } from './hops';
import type { HopName } from './services';

/** One call of the chain, as the client is told: which service, how long, and how it went. */
export interface HopCall {
  service: HopName;
  ms: number;
  outcome: 'done' | 'refused' | 'failed';
}

export type ChainAnswer =
  | { status: 201; body: { order: OrderSnapshot; hops: HopCall[] } }
  | {
      status: 402 | 409 | 422 | 503;
      body: { error: { code: string; message: string; service: HopName }; orderId: string; hops: HopCall[] };
    };

const refusalStatus: Record<Refusal['code'], 402 | 409 | 422 | 503> = {
  unknown_sku: 422,
  mixed_currencies: 422,
  out_of_stock: 409,
  payment_declined: 402,
  payment_unavailable: 503,
};

class Stopped extends Error {
  constructor(
    readonly service: HopName,
    readonly code: string,
    message: string,
    readonly status: 402 | 409 | 422 | 503,
  ) {
    super(message);
  }
}

/**
 * Places an order the synchronous way: inventory holds and prices it, its personal data and
 * payment token are sealed as orders seals them, payments authorizes, shipping creates the
 * shipment, notifications mails the customer — one call after another, each waiting for the last. A refusal or a failed call stops the chain; what was done is undone (last
 * first, best effort) and the client is answered with the service that stopped it. A service that
 * is down fails the order: there is nowhere to leave it.
 */
export async function placeThroughChain(
  env: Env,
  customerId: string,
  input: PlaceOrderInput,
  traceparent?: string,
): Promise<ChainAnswer> {
  const hops: HopCall[] = [];
  const undo: { service: HopName; run: () => Promise<unknown> }[] = [];
  const call = async <T>(service: HopName, step: () => Promise<Step<T>>): Promise<T> => {
    const started = performance.now();
    const ms = () => +(performance.now() - started).toFixed(1);
    let result: Step<T>;
    try {
      result = await step();
    } catch (error) {
      hops.push({ service, ms: ms(), outcome: 'failed' });
      throw new Stopped(service, 'service_unavailable', `${service} failed: ${String(error)}`, 503);
    }
    hops.push({ service, ms: ms(), outcome: result.ok ? 'done' : 'refused' });
    if (!result.ok) throw new Stopped(service, result.code, result.message, refusalStatus[result.code]);
    return result.value;
  };

  const id = crypto.randomUUID();
  const placedAt = new Date().toISOString();
  try {
    const priced = await call('inventory', () => env.INVENTORY.reserve({ id, items: input.items, placedAt }));
    undo.push({ service: 'inventory', run: () => env.INVENTORY.release(id, priced.items) });
    // Sealed as orders seals them: personal data by the vault with the customer's key, the token for payments alone.
    const order = { id, customerId };
    const personal = { shippingAddress: input.shippingAddress, ...(input.email ? { email: input.email } : {}) };
    const sealed = await sealPersonal(env.VAULT as unknown as Service<VaultRpc>, order, personal);
    const token = await sealPaymentToken(syncChainConfig(env).tokenKeys, input.payment.token, order);
    const pending: OrderSnapshot = {
      id,
      customerId,
      ...(sealed.email && { email: sealed.email }),
      status: 'pending',
      ...priced,
      shippingAddress: sealed.shippingAddress,
      version: 1,
      placedAt,
      updatedAt: placedAt,
    };
    const placed = newEvent(
      'order.placed',
      { ...pending, payment: { token } },
      { source: 'orders', subject: id, cause: null, traceparent },
    );
    await call('payments', () => env.PAYMENTS.authorize(placed.data, placed));
    undo.push({ service: 'payments', run: () => env.PAYMENTS.void(pending, placed) });
    const confirmedAt = new Date().toISOString();
    const confirmed = newEvent(
      'order.confirmed',
      { ...pending, status: 'confirmed', version: 2, updatedAt: confirmedAt },
      { source: 'orders', subject: id, cause: placed },
    );
    await call('shipping', () => env.SHIPPING.create(confirmed.data, confirmed));
    undo.push({ service: 'shipping', run: () => env.SHIPPING.cancel(id, confirmed) });
    await call('notifications', () => env.NOTIFICATIONS.confirm(confirmed));
    return { status: 201, body: { order: confirmed.data, hops } };
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    for (const { service, run } of undo.reverse()) {
      await run().catch((e) => console.error(JSON.stringify({ msg: 'could not undo', orderId: id, service, error: String(e) })));
    }
    const { service, code, message, status } = error;
    return { status, body: { error: { code, message, service }, orderId: id, hops } };
  }
}
