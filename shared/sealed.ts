import * as z from 'zod';

/**
 * Sealing: a value encrypted with AES-256-GCM (WebCrypto, `crypto.subtle`) under a key named by
 * `kid`, bound by its additional data to where it belongs — the customer, the order and the field —
 * so a sealed value copied into another order, another customer or another field does not open.
 * Two kinds of keys seal this way: a customer's own key, held by the vault (personal data, erased
 * with the customer), and the payment-token keyring that only orders and payments hold.
 */

/** A sealed value as events carry it: version, key id, 96-bit IV and ciphertext with its 128-bit tag (base64url). */
export const Sealed = z.object({
  v: z.literal(1),
  kid: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a key id: letters, digits, _ . -'),
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/, '12 bytes, base64url'),
  ct: z.string().regex(/^[A-Za-z0-9_-]{22,8192}$/, 'ciphertext and tag, base64url'),
});
export type Sealed = z.infer<typeof Sealed>;

/** Where a sealed value belongs; it opens only here. */
export interface SealedFor {
  customerId: string;
  orderId: string;
  /** The field it was sealed as, e.g. `shippingAddress` or `payment.token`. */
  field: string;
}

/** A value that cannot be opened: its key is gone (erased, or retired from a keyring), or it was not sealed for here. */
export class Unreadable extends Error {
  override name = 'Unreadable';
  readonly reason: 'erased' | 'unreadable';

  constructor(reason: 'erased' | 'unreadable') {
    super(reason === 'erased' ? 'its key was erased' : 'it was not sealed for here, or was altered');
    this.reason = reason;
  }
}

const encoder = new TextEncoder();
const additionalData = (at: SealedFor) =>
  encoder.encode(JSON.stringify(['conveyor.sealed.v1', at.customerId, at.orderId, at.field]));

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A 256-bit AES-GCM key from its raw bytes, for encrypting and decrypting only. */
export function importKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * Seals `value` (any JSON) under `key`, for `at` only.
 *
 * @example
 * const sealed = await seal(key, 'ck_1a2b', address, { customerId, orderId, field: 'shippingAddress' });
 */
export async function seal(key: CryptoKey, kid: string, value: unknown, at: SealedFor): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = encoder.encode(JSON.stringify(value));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(at) }, key, plaintext);
  return { v: 1, kid, iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) };
}

/** The value `sealed` holds, if it was sealed under `key` for `at`; else throws {@link Unreadable}. */
export async function unseal(key: CryptoKey, sealed: Sealed, at: SealedFor): Promise<unknown> {
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(sealed.iv), additionalData: additionalData(at) },
      key,
      fromBase64Url(sealed.ct),
    );
    return JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    throw new Unreadable('unreadable');
  }
}

const KEYRING_ENTRY = /^([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9_-]{43})$/;

/**
 * A keyring secret: `kid:key[,kid:key…]`, each key 32 random bytes in base64url (`npm run
 * sealing-key` makes one). The first entry seals; every entry opens, so a key is rotated without
 * downtime by putting a new one first and removing the old one once nothing sealed under it is
 * still needed. Problems name the rule broken, never a value.
 */
export const KeyringSecret = z.string({ error: 'is not set' }).transform((text, ctx) => {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'is empty: it needs at least one kid:key entry' });
  const keys: { kid: string; raw: Uint8Array<ArrayBuffer> }[] = [];
  for (const [i, entry] of entries.entries()) {
    const match = KEYRING_ENTRY.exec(entry);
    const raw = match ? fromBase64Url(match[2]!) : undefined;
    if (!match || raw?.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not kid:<32 random bytes, base64url>` });
    } else if (keys.some((k) => k.kid === match[1])) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the key id of an earlier entry` });
    } else if (new Set(raw).size < 8) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not random: a key needs 32 random bytes` });
    } else keys.push({ kid: match[1]!, raw });
  }
  return new Keyring(keys);
});

/** Keys by id; the first seals. Each key is imported once per isolate. */
export class Keyring {
  private readonly imported = new Map<string, Promise<CryptoKey>>();
  private readonly keys: readonly { kid: string; raw: Uint8Array<ArrayBuffer> }[];

  constructor(keys: readonly { kid: string; raw: Uint8Array<ArrayBuffer> }[]) {
    this.keys = keys;
  }

  /** The ids of the keys, the sealing one first. */
  get kids(): string[] {
    return this.keys.map((k) => k.kid);
  }

  async seal(value: unknown, at: SealedFor): Promise<Sealed> {
    const [current] = this.keys;
    if (!current) throw new Error('the keyring has no key');
    return seal(await this.key(current.kid, current.raw), current.kid, value, at);
  }

  /** The value, or throws {@link Unreadable}: `erased` when its key is no longer in the ring (retired). */
  async open(sealed: Sealed, at: SealedFor): Promise<unknown> {
    const entry = this.keys.find((k) => k.kid === sealed.kid);
    if (!entry) throw new Unreadable('erased');
    return unseal(await this.key(entry.kid, entry.raw), sealed, at);
  }

  private key(kid: string, raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
    let key = this.imported.get(kid);
    if (!key) {
      key = importKey(raw);
      this.imported.set(kid, key);
    }
    return key;
  }
}

/** A new keyring entry: `kid:<32 random bytes, base64url>`. */
export function newKeyringEntry(kid: string): string {
  return `${kid}:${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
}
