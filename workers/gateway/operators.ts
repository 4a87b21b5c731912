import * as z from 'zod';
import { Scope } from '../../shared/audit';
import { sha256 } from '../../shared/ids';

/** An operator as the gateway knows them: a name, what they may do, and only the hash of their key. */
export interface Operator {
  name: string;
  scopes: readonly Scope[];
  /** The hex SHA-256 of the key; the key itself is never stored. */
  keyHash: string;
}

export const ALL_SCOPES: readonly Scope[] = Scope.options;

const ENTRY = /^([A-Za-z0-9][A-Za-z0-9_.@-]{0,63}):([a-z+]+):([0-9a-f]{64})$/;

/**
 * ADMIN_KEYS: operator keys, hashed at rest, separated by commas or whitespace, each
 * `name:scope[+scope…]:sha256-hex-of-the-key` (`npm run admin-key` makes one). Several may share a
 * name: that is how a key is rotated without downtime (add the new one, move over, remove the old).
 */
export const AdminKeys = z
  .string()
  .optional()
  .transform((text, ctx): Operator[] => {
    const operators: Operator[] = [];
    const entries = (text ?? '').split(/[\s,]+/).filter(Boolean);
    for (const [i, entry] of entries.entries()) {
      const match = ENTRY.exec(entry);
      const scopes = match?.[2]?.split('+') ?? [];
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not name:scope[+scope…]:sha256-hex-of-the-key` });
      } else if (!scopes.every((s) => Scope.safeParse(s).success)) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} names a scope other than ${ALL_SCOPES.join(', ')}` });
      } else if (operators.some((o) => o.keyHash === match[3])) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the key of an earlier entry` });
      } else {
        operators.push({ name: match[1]!, scopes: [...new Set(scopes as Scope[])], keyHash: match[3]! });
      }
    }
    return operators;
  });

/** The first 12 hex digits of a key hash: names a key in the audit log without revealing it. */
export const keyIdOf = (operator: Operator) => operator.keyHash.slice(0, 12);

/**
 * The operator whose key `presented` is, if any. Every entry is compared, in constant time, so the
 * time taken says nothing about which entries exist.
 */
export async function operatorWithKey(presented: string, operators: readonly Operator[]): Promise<Operator | undefined> {
  const hash = await sha256(presented);
  let found: Operator | undefined;
  for (const operator of operators) if (sameHex(operator.keyHash, hash) && !found) found = operator;
  return found;
}

/** The local operator (AUTH_MODE=local): ADMIN_API_KEY from .dev.vars, with every scope. */
export async function localOperator(key: string): Promise<Operator> {
  return { name: 'local', scopes: ALL_SCOPES, keyHash: await sha256(key) };
}

function sameHex(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
