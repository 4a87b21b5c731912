import * as z from 'zod';
import { type Reply, unwrap } from './errors';
import { Email, type Event, OrderSnapshot, type OrderStatus, ShippingAddress } from './events';
import { type Keyring, type Sealed, Unreadable } from './sealed';

/**
 * Personal data and the payment token: who may read them, and how.
 *
 * - The payment token is sealed by orders with a keyring only orders and payments hold
 *   (`PAYMENT_TOKEN_KEYS`): the bus, the archive and every other service carry ciphertext.
 * - Personal data (the shipping address, which holds the customer's name, and the e-mail) is sealed
 *   with the customer's own key, which only the vault holds (workers/vault): services that need it
 *   open it at their edge with {@link openPersonal}; once the customer is erased it answers
 *   `erased`, for every copy anywhere, for good.
 */

/** For the payments service alone: it authorises with it; nothing else may keep or pass it on. */
const PAYMENT_ONLY = ['payment'];
/** Personal data, sealed per customer in every order.* event. */
export const PERSONAL = ['shippingAddress', 'email'] as const;
export type PersonalField = (typeof PERSONAL)[number];

/** Why personal data cannot be shown: the customer was erased, or the event never carried it readable. */
export const PersonalDataGone = z.enum(['erased', 'unreadable']);
export type PersonalDataGone = z.infer<typeof PersonalDataGone>;

/** An order's personal data, opened: the clear values, or why they are gone. */
export interface Personal {
  shippingAddress?: ShippingAddress;
  email?: string;
  personalData?: PersonalDataGone;
}

/** The order as its customer and operators see it: its personal data opened, or marked gone. */
export const OrderView = OrderSnapshot.omit({ shippingAddress: true, email: true }).extend({
  shippingAddress: ShippingAddress.optional(),
  email: Email.optional(),
  personalData: PersonalDataGone.optional().describe(
    'Set when the address and e-mail cannot be shown: `erased` (the customer was erased; they are gone for good) ' +
      'or `unreadable`',
  ),
});
export type OrderView = z.infer<typeof OrderView>;

/** One opened field: its value as JSON text, or why it is gone. */
export type Opened = { json: string } | { gone: PersonalDataGone };

/** What the vault holds for a customer: the orders sealed with their key, and whether they were erased. */
export interface CustomerKeys {
  orders: { orderId: string; sealedAt: string }[];
  /** When the customer was last erased; null if never. */
  erasedAt: string | null;
}

export interface Erasure {
  customerId: string;
  erasedAt: string;
  /** How many orders' personal data became unreadable. */
  orders: number;
}

/**
 * The vault (workers/vault) as services call it over their `VAULT` service binding. It seals and
 * opens with the customer's key itself: the key never leaves it.
 */
export interface VaultRpc extends Rpc.WorkerEntrypointBranded {
  /** Seals each value (given as JSON text) for `orderId` of `customerId`, under the customer's key. */
  seal(customerId: string, orderId: string, json: Record<string, string>): Promise<Reply<Record<string, Sealed>>>;
  /** Opens each sealed value of `orderId`; a value whose key was erased answers `{ gone: 'erased' }`. */
  open(customerId: string, orderId: string, sealed: Record<string, Sealed>): Promise<Reply<Record<string, Opened>>>;
  /** The orders sealed with the customer's key (to check none is in flight before erasing). */
  customerKeys(customerId: string): Promise<Reply<CustomerKeys>>;
  /**
   * Destroys the customer's key and announces customer.erased; refused (409 `customer_has_open_orders`)
   * while an order still needs its address, judged by `statuses`: each sealed order's status, read
   * from its OrderDO just before (null: not placed). An order sealed since is judged still needed.
   */
  erase(customerId: string, statuses: Record<string, OrderStatus | null>, traceparent?: string): Promise<Reply<Erasure>>;
}

/** The sealed personal data of an order, as its events carry it. */
type SealedOrder = Pick<OrderSnapshot, 'id' | 'customerId' | 'shippingAddress' | 'email'>;

const schemas: Record<PersonalField, z.ZodType> = { shippingAddress: ShippingAddress, email: Email };

/**
 * Opens an order's personal data through the vault: the one way services read it, at their edge.
 * Answers the clear values; or `personalData: "erased"` once the customer was erased (their key is
 * gone), `"unreadable"` when the event carries no readable address (an event of version 1, or a
 * value sealed for another order). Asks the vault once, and only for what `fields` names.
 *
 * @example
 * const { shippingAddress, personalData } = await openPersonal(env.VAULT, order, ['shippingAddress']);
 */
export async function openPersonal(
  vault: Service<VaultRpc>,
  order: SealedOrder,
  fields: readonly PersonalField[] = PERSONAL,
): Promise<Personal> {
  const sealed: Record<string, Sealed> = {};
  for (const field of fields) {
    const value = order[field];
    if (value) sealed[field] = value;
  }
  // The address is always sealed in a current event; without it, the event carried none readable.
  const withheld: Personal = fields.includes('shippingAddress') && !order.shippingAddress ? { personalData: 'unreadable' } : {};
  if (Object.keys(sealed).length === 0) return withheld;
  const opened = unwrap(await vault.open(order.customerId, order.id, sealed));
  const personal: Personal = { ...withheld };
  for (const [field, result] of Object.entries(opened) as [PersonalField, Opened][]) {
    const parsed = 'json' in result ? schemas[field].safeParse(JSON.parse(result.json)) : undefined;
    if (parsed?.success) (personal as Record<string, unknown>)[field] = parsed.data;
    else if ('gone' in result && result.gone === 'erased') personal.personalData = 'erased';
    else personal.personalData ??= 'unreadable';
  }
  return personal;
}

/**
 * Seals an order's personal data through the vault, with its customer's key.
 *
 * @example
 * const sealed = await sealPersonal(env.VAULT, { id, customerId }, { shippingAddress, email });
 */
export async function sealPersonal(
  vault: Service<VaultRpc>,
  order: { id: string; customerId: string },
  values: { shippingAddress: ShippingAddress; email?: string | undefined },
): Promise<{ shippingAddress: Sealed; email?: Sealed }> {
  const json = Object.fromEntries(
    Object.entries(values).flatMap(([field, value]) => (value === undefined ? [] : [[field, JSON.stringify(value)]])),
  );
  const sealed = unwrap(await vault.seal(order.customerId, order.id, json));
  if (!sealed.shippingAddress) throw new Error('the vault sealed no address');
  return { shippingAddress: sealed.shippingAddress, ...(sealed.email ? { email: sealed.email } : {}) };
}

/** The order as its customer sees it: its snapshot with `personal` in place of the sealed fields. */
export function viewOf<T extends Pick<OrderSnapshot, 'shippingAddress' | 'email'>>(
  order: T,
  personal: Personal,
): Omit<T, 'shippingAddress' | 'email'> & Personal {
  const { shippingAddress: _a, email: _e, ...rest } = order;
  return { ...rest, ...personal };
}

/** An event as it may leave the platform: its data loosened, since fields are taken out or replaced. */
export type MinimisedEvent = Omit<Event, 'data'> & { data: Record<string, unknown> };

/**
 * The event as it may leave the payments path: never with the payment token, never with sealed
 * values (useless to anyone outside), and with personal data, opened, only for a recipient allowed
 * to have it.
 *
 * @example
 * minimised(placed, { personalData: false })                   // order.placed without payment, address, e-mail
 * minimised(placed, { personalData: true }, await openPersonal(env.VAULT, placed.data))  // with the clear address
 */
export function minimised(event: Event, recipient: { personalData: boolean }, opened?: Personal): MinimisedEvent {
  const dropped = [...PAYMENT_ONLY, ...PERSONAL];
  const data: Record<string, unknown> = Object.fromEntries(
    Object.entries(event.data).filter(([key]) => !(dropped as string[]).includes(key)),
  );
  return { ...event, data: recipient.personalData && opened ? { ...data, ...opened } : data };
}

/** Where the payment token is sealed for: its order and customer, as field `payment.token`. */
const tokenOf = (order: { id: string; customerId: string }) => ({
  customerId: order.customerId,
  orderId: order.id,
  field: 'payment.token',
});

/** Seals the payment token of an order for payments, with the first key of the keyring. */
export function sealPaymentToken(keyring: Keyring, token: string, order: { id: string; customerId: string }): Promise<Sealed> {
  return keyring.seal(token, tokenOf(order));
}

/**
 * The payment token of an order, or null when it cannot be read: absent (an event of version 1),
 * sealed under a key retired from the keyring, or not sealed for this order.
 */
export async function openPaymentToken(
  keyring: Keyring,
  order: { id: string; customerId: string; payment?: { token: Sealed } | undefined },
): Promise<string | null> {
  if (!order.payment) return null;
  try {
    const token = await keyring.open(order.payment.token, tokenOf(order));
    return typeof token === 'string' && token.length > 0 ? token : null;
  } catch (error) {
    if (error instanceof Unreadable) return null;
    throw error;
  }
}
