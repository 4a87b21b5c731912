import { sha256 as sha256Bytes } from '@noble/hashes/sha2.js';

/**
 * A UUID (RFC 9562 version 8) derived from `name`: the same name always gives the same id.
 * Synchronous, so a Durable Object can name the events of a decision inside the transaction
 * that commits it, and pure code (deciders, the simulation) can name them too.
 */
export function factId(name: string): string {
  const bytes = sha256Bytes(new TextEncoder().encode(name)).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * {@link factId}, as a promise. Consumers that are not Durable Objects use it so that redoing a
 * step after a crash publishes the same event id again, which every consumer then drops.
 */
export async function deterministicId(name: string): Promise<string> {
  return factId(name);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

const randomHex = (bytes: number) => hex(crypto.getRandomValues(new Uint8Array(bytes)));

/** A W3C `traceparent` for a new span: in the trace of `parent` when given, else in a new trace. */
export function childTraceparent(parent?: string | null): string {
  const traceId = parent?.split('-')[1] ?? randomHex(16);
  return `00-${traceId}-${randomHex(8)}-01`;
}

/** The hex SHA-256 of a string. */
export async function sha256(text: string): Promise<string> {
  return hex(await digest(text));
}
