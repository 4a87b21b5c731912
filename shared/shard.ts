/**
 * The shard (or bucket) of `key` among `n`: FNV-1a over its UTF-16 code units, so every Worker
 * and every run maps a key the same way, synchronously (an outbox sends inside a transaction's turn).
 *
 * @example
 * shardOf(orderId, 16) // the bus shard of an order's events
 */
export function shardOf(key: string, n: number): number {
  if (n <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % n;
}
