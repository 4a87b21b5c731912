/**
 * A UUID (RFC 9562 version 8) derived from `name`: the same name always gives the same id.
 * Consumers that are not Durable Objects use it so that redoing a step after a crash
 * publishes the same event id again, which every consumer then drops as a duplicate.
 */
export async function deterministicId(name: string): Promise<string> {
  const digest = await sha256(name);
  const bytes = digest
    .slice(0, 32)
    .match(/../g)!
    .map((h) => Number.parseInt(h, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A W3C `traceparent` for a new span: in the trace of `parent` when given, else in a new trace. */
export function childTraceparent(parent?: string | null): string {
  const traceId = parent?.split('-')[1] ?? randomHex(16);
  return `00-${traceId}-${randomHex(8)}-01`;
}

/** The hex SHA-256 of a string. */
export async function sha256(text: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
