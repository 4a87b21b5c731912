import type { AuthorizeResult } from './payment';
import { type PaymentProvider, ProviderError } from './provider';

/**
 * Test cards, as at Stripe: `tok_visa` approves, `tok_chargeDeclined` declines, any other token is
 * an invalid request. Faults, to watch payments cope without a real provider:
 * - `tok_flaky` fails transiently on its first two authorizations, then approves;
 * - `tok_unreachable` never answers, so payments retries until it gives up and declines
 *   (`provider_unavailable`);
 * - `tok_lostResponse` approves on the first call but the answer is lost on the way back; the
 *   retry (or a lookup, if the order is cancelled first) finds the authorization.
 *
 * Like a real provider it keeps its intents and honours idempotency keys: a repeated call answers
 * as the first did. It keeps them in `store`: the PaymentDO's own storage, so that, as at a real
 * provider, they outlive an evicted or restarted object (in memory by default, for tests).
 */
export function sandbox(store: SandboxStore = memoryStore()): PaymentProvider {
  const answers = store.map<AuthorizeResult>('answers');
  const intents = store.map<{ orderId: string; status: 'authorized' | 'captured' | 'voided' | 'refunded' }>('intents');
  const flakyFailures = store.map<number>('flaky');

  function intent(reference: string) {
    const found = intents.get(reference);
    if (!found) throw new ProviderError(`sandbox: no intent ${reference}`, { transient: false });
    return found;
  }

  function move(reference: string, from: string, to: 'captured' | 'voided' | 'refunded') {
    const found = intent(reference);
    if (found.status === to) return;
    if (found.status !== from)
      throw new ProviderError(`sandbox: cannot ${to} a payment that is ${found.status}`, { transient: false });
    intents.set(reference, { ...found, status: to });
  }

  return {
    async authorize({ token, orderId, idempotencyKey }) {
      const replay = answers.get(idempotencyKey);
      if (replay) return replay;
      if (token === 'tok_unreachable') throw new ProviderError('sandbox: provider unreachable', { transient: true });
      if (token === 'tok_flaky') {
        const failures = flakyFailures.get(idempotencyKey) ?? 0;
        if (failures < 2) {
          flakyFailures.set(idempotencyKey, failures + 1);
          throw new ProviderError(`sandbox: flaky failure ${failures + 1} of 2`, { transient: true });
        }
      }
      const result: AuthorizeResult = ['tok_visa', 'tok_flaky', 'tok_lostResponse'].includes(token)
        ? { outcome: 'approved', reference: `sandbox_${idempotencyKey}` }
        : { outcome: 'declined', reason: token === 'tok_chargeDeclined' ? 'card_declined' : 'invalid_request' };
      answers.set(idempotencyKey, result);
      if (result.outcome === 'approved') intents.set(result.reference, { orderId, status: 'authorized' });
      if (token === 'tok_lostResponse')
        throw new ProviderError('sandbox: the answer was lost on the way back', { transient: true });
      return result;
    },
    async capture({ reference }) {
      move(reference, 'authorized', 'captured');
    },
    async void({ reference }) {
      move(reference, 'authorized', 'voided');
    },
    async refund({ reference }) {
      move(reference, 'captured', 'refunded');
    },
    async lookup({ orderId }) {
      for (const [reference, found] of intents.entries()) {
        if (found.orderId !== orderId) continue;
        return { outcome: 'found', reference, status: found.status === 'refunded' ? 'captured' : found.status };
      }
      return { outcome: 'not_found' };
    },
  };
}

/** Where the sandbox keeps what a provider would: small maps by name. */
export interface SandboxStore {
  map<V>(name: string): {
    get(key: string): V | undefined;
    set(key: string, value: V): void;
    entries(): Iterable<[string, V]>;
  };
}

export function memoryStore(): SandboxStore {
  const maps = new Map<string, Map<string, unknown>>();
  return {
    map<V>(name: string) {
      const map = maps.get(name) ?? new Map<string, unknown>();
      maps.set(name, map);
      return map as unknown as Map<string, V>;
    },
  };
}

/** A {@link SandboxStore} in a Durable Object's SQLite. */
export function sqlStore(sql: SqlStorage): SandboxStore {
  sql.exec(
    'CREATE TABLE IF NOT EXISTS sandbox_provider (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key))',
  );
  return {
    map<V>(name: string) {
      return {
        get: (key: string) => {
          const row = sql
            .exec<{ value: string }>('SELECT value FROM sandbox_provider WHERE name = ? AND key = ?', name, key)
            .toArray()[0];
          return row ? (JSON.parse(row.value) as V) : undefined;
        },
        set: (key: string, value: V) => {
          sql.exec(
            'INSERT INTO sandbox_provider (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value',
            name,
            key,
            JSON.stringify(value),
          );
        },
        entries: () =>
          sql
            .exec<{ key: string; value: string }>('SELECT key, value FROM sandbox_provider WHERE name = ?', name)
            .toArray()
            .map((r): [string, V] => [r.key, JSON.parse(r.value) as V]),
      };
    },
  };
}
