import { describe, expect, it } from 'vitest';
import { minimised, openPaymentToken, sealPaymentToken } from '../../shared/personal-data';
import { importKey, KeyringSecret, newKeyringEntry, Sealed, seal, Unreadable, unseal } from '../../shared/sealed';
import { makeEvent } from '../helpers/events';
import { address, makeOrder } from '../helpers/fixtures';

const at = { customerId: 'cust_1', orderId: '5b1f0a4e-9f5c-4a43-8d2e-6a0f7e3c2b11', field: 'shippingAddress' };
const freshKey = () => importKey(crypto.getRandomValues(new Uint8Array(32)));

describe('sealing (AES-256-GCM, bound to customer, order and field)', () => {
  it('opens what it sealed, and the sealed form holds nothing of the value', async () => {
    const key = await freshKey();
    const sealed = await seal(key, 'ck_1', address, at);
    expect(Sealed.parse(sealed)).toEqual(sealed);
    expect(JSON.stringify(sealed)).not.toMatch(/Ada|Main|Berlin|10115/);
    expect(await unseal(key, sealed, at)).toEqual(address);
  });

  it('seals the same value differently each time (a fresh IV), so equal addresses cannot be told apart', async () => {
    const key = await freshKey();
    const [a, b] = await Promise.all([seal(key, 'ck_1', address, at), seal(key, 'ck_1', address, at)]);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it.each([
    ['another order', { ...at, orderId: '0c7d6e4f-1111-4a43-8d2e-6a0f7e3c2b11' }],
    ['another customer', { ...at, customerId: 'cust_2' }],
    ['another field', { ...at, field: 'email' }],
  ])('does not open when moved to %s', async (_, elsewhere) => {
    const key = await freshKey();
    const sealed = await seal(key, 'ck_1', address, at);
    await expect(unseal(key, sealed, elsewhere)).rejects.toEqual(new Unreadable('unreadable'));
  });

  it('does not open when altered, nor under another key', async () => {
    const key = await freshKey();
    const sealed = await seal(key, 'ck_1', address, at);
    const flipped = `${sealed.ct.slice(0, 5)}${sealed.ct[5] === 'A' ? 'B' : 'A'}${sealed.ct.slice(6)}`;
    await expect(unseal(key, { ...sealed, ct: flipped }, at)).rejects.toBeInstanceOf(Unreadable);
    await expect(unseal(await freshKey(), sealed, at)).rejects.toBeInstanceOf(Unreadable);
  });
});

describe('keyring secrets (PAYMENT_TOKEN_KEYS)', () => {
  const problems = (text: string) => {
    const parsed = KeyringSecret.safeParse(text);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  };

  it('reads kid:key entries, the first one sealing', () => {
    const ring = KeyringSecret.parse(`${newKeyringEntry('k2')}, ${newKeyringEntry('k1')}`);
    expect(ring.kids).toEqual(['k2', 'k1']);
  });

  it('refuses an empty, short, repeated or non-random key, naming the entry and never the value', () => {
    const key = newKeyringEntry('k1');
    expect(problems('')).toEqual(['is empty: it needs at least one kid:key entry']);
    expect(problems('k1:abc')).toEqual(['entry 1 is not kid:<32 random bytes, base64url>']);
    expect(problems(`${key},${key.replace(/:.*/, ':')}${newKeyringEntry('x').split(':')[1]}`)).toEqual([
      'entry 2 repeats the key id of an earlier entry',
    ]);
    expect(problems(`k0:${'A'.repeat(43)}`)).toEqual(['entry 1 is not random: a key needs 32 random bytes']);
    expect(KeyringSecret.safeParse(undefined).error?.issues[0]?.message).toBe('is not set');
  });

  it('opens a token sealed under an older key until that key is retired, then answers erased', async () => {
    const old = newKeyringEntry('2026-11');
    const sealed = await KeyringSecret.parse(old).seal('tok_visa', at);
    const rotated = KeyringSecret.parse(`${newKeyringEntry('2026-12')},${old}`);
    expect(await rotated.open(sealed, at)).toBe('tok_visa');
    expect((await rotated.seal('tok_visa', at)).kid).toBe('2026-12');
    const retired = KeyringSecret.parse(newKeyringEntry('2026-12'));
    await expect(retired.open(sealed, at)).rejects.toEqual(new Unreadable('erased'));
  });
});

describe('the payment token, sealed for payments alone', () => {
  const keys = KeyringSecret.parse(newKeyringEntry('k1'));
  const order = { id: at.orderId, customerId: 'cust_1' };

  it('opens for its own order only; anything unreadable is null', async () => {
    const token = await sealPaymentToken(keys, 'tok_visa', order);
    expect(await openPaymentToken(keys, { ...order, payment: { token } })).toBe('tok_visa');
    expect(await openPaymentToken(keys, { ...order, id: crypto.randomUUID(), payment: { token } })).toBeNull();
    expect(await openPaymentToken(keys, { ...order, customerId: 'cust_2', payment: { token } })).toBeNull();
    expect(await openPaymentToken(keys, order)).toBeNull();
    expect(await openPaymentToken(KeyringSecret.parse(newKeyringEntry('k1')), { ...order, payment: { token } })).toBeNull();
  });
});

describe('what leaves the platform (minimised)', () => {
  const placed = makeEvent('order.placed', makeOrder());

  it('never carries the payment token or sealed values', () => {
    const out = minimised(placed, { personalData: true });
    expect(Object.keys(out.data)).not.toEqual(expect.arrayContaining(['payment']));
    expect(out.data).not.toHaveProperty('shippingAddress');
    expect(out.data).not.toHaveProperty('payment');
    expect(out.data).toMatchObject({ id: placed.data.id, totalCents: 3800 });
  });

  it('carries the opened address and e-mail only to a recipient allowed personal data', () => {
    const opened = { shippingAddress: address, email: 'ada@example.com' };
    expect(minimised(placed, { personalData: true }, opened).data).toMatchObject(opened);
    expect(minimised(placed, { personalData: false }, opened).data).not.toHaveProperty('shippingAddress');
    expect(minimised(placed, { personalData: false }, opened).data).not.toHaveProperty('email');
    expect(minimised(placed, { personalData: true }, { personalData: 'erased' }).data).toMatchObject({ personalData: 'erased' });
  });
});
