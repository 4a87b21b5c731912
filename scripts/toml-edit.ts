// Edits one value of a wrangler.toml in place, found through the TOML syntax tree, so comments,
// order and formatting stay exactly as written.
import { parseTOML } from 'toml-eslint-parser';

type Scalar = string | number | boolean;

export interface ValueAddress {
  /** The table's key path without array indexes: `['vars']`, `['d1_databases']`. */
  table: string[];
  /** For an array of tables, the entry whose keys have these values: `{ database_name: 'conveyor-orders' }`. */
  where?: Record<string, Scalar>;
  key: string;
}

/**
 * `text` with the value at `address` replaced by `value`; throws if there is no such value, or
 * more than one.
 *
 * @example
 * withTomlValue(toml, { table: ['d1_databases'], where: { database_name: 'conveyor-orders' }, key: 'database_id' }, id)
 */
export function withTomlValue(text: string, address: ValueAddress, value: Scalar): string {
  const found: [number, number][] = [];
  for (const node of parseTOML(text).body[0]!.body) {
    if (node.type !== 'TOMLTable') continue;
    const path = node.resolvedKey.filter((k): k is string => typeof k === 'string');
    if (path.join('.') !== address.table.join('.')) continue;
    const values = new Map<string, { value: unknown; range: [number, number] }>();
    for (const pair of node.body) {
      const key = pair.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value)).join('.');
      if (pair.value.type === 'TOMLValue') values.set(key, { value: pair.value.value, range: pair.value.range });
    }
    const matches = Object.entries(address.where ?? {}).every(([k, v]) => values.get(k)?.value === v);
    const target = values.get(address.key);
    if (matches && target) found.push(target.range);
  }
  if (found.length !== 1) {
    throw new Error(`expected one ${describe(address)}, found ${found.length}`);
  }
  const [start, end] = found[0]!;
  return text.slice(0, start) + toToml(value) + text.slice(end);
}

/** A TOML literal: a JSON string is a valid TOML basic string, and numbers and booleans read the same. */
const toToml = (value: Scalar) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

const describe = (a: ValueAddress) => `[${a.table.join('.')}]${a.where ? ` with ${JSON.stringify(a.where)}` : ''} ${a.key}`;
