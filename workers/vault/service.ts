import { WorkerEntrypoint } from 'cloudflare:workers';
import * as z from 'zod';
import { AppError, reply, unwrap } from '../../shared/errors';
import { OrderStatus } from '../../shared/events';
import type { VaultRpc } from '../../shared/personal-data';
import { Sealed } from '../../shared/sealed';
import { vaultConfig } from './config';

const CustomerId = z.string().min(1).max(256);
const OrderId = z.uuid();
const Field = z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/);

/** The arguments of each call, checked: callers are our own services, but the vault trusts no shape. */
const calls = {
  seal: z.tuple([CustomerId, OrderId, z.record(Field, z.string().max(4096))]),
  open: z.tuple([CustomerId, OrderId, z.record(Field, Sealed)]),
  customerKeys: z.tuple([CustomerId]),
  erase: z.tuple([CustomerId, z.record(OrderId, OrderStatus.nullable()), z.string().optional()]),
};

function checked<K extends keyof typeof calls>(call: K, args: unknown[]): z.output<(typeof calls)[K]> {
  const parsed = calls[call].safeParse(args);
  if (!parsed.success)
    throw new AppError({ code: 'invalid_request', message: `vault.${call}: ${parsed.error.message}`, status: 400 });
  return parsed.data as z.output<(typeof calls)[K]>;
}

/**
 * The vault as services call it (RPC over a service binding): seal and open personal data with the
 * customer's key, which stays in the customer's KeyDO; list what is sealed for a customer; erase one.
 */
export class VaultService extends WorkerEntrypoint<Env> implements VaultRpc {
  async seal(customerId: string, orderId: string, json: Record<string, string>) {
    return reply(async () => {
      vaultConfig(this.env);
      const [customer, order, fields] = checked('seal', [customerId, orderId, json]);
      return unwrap(await this.keys(customer).seal(customer, order, fields));
    });
  }

  async open(customerId: string, orderId: string, sealed: Record<string, Sealed>) {
    return reply(async () => {
      vaultConfig(this.env);
      const [customer, order, fields] = checked('open', [customerId, orderId, sealed]);
      return unwrap(await this.keys(customer).open(customer, order, fields));
    });
  }

  async customerKeys(customerId: string) {
    return reply(async () => {
      vaultConfig(this.env);
      const [customer] = checked('customerKeys', [customerId]);
      return this.keys(customer).customerKeys();
    });
  }

  async erase(customerId: string, statuses: Record<string, OrderStatus | null>, traceparent?: string) {
    return reply(async () => {
      const { placingGraceMs } = vaultConfig(this.env);
      const [customer, checkedStatuses, trace] = checked('erase', [customerId, statuses, traceparent]);
      return unwrap(await this.keys(customer).erase(customer, checkedStatuses, placingGraceMs, trace));
    });
  }

  private keys(customerId: string) {
    return this.env.KEY_DO.getByName(customerId);
  }
}
