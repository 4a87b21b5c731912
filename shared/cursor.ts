import { AppError } from './errors';
import type { Page } from './responses';

/**
 * Keyset pages of a list kept newest first: the cursor is the (time, id) of the last row shown, so
 * a page holds still while new rows arrive, and no page costs more than its own rows.
 *
 * @example
 * const [at, id] = after(query.cursor);   // ['\uffff', ''] for the first page
 * db.prepare('… WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?').bind(at, id, limit + 1)
 * return pageOf(rows, limit, (r) => [r.created_at, r.id], toItem);
 */
export function after(cursor: string | undefined): [string, string] {
  if (cursor === undefined) return ['\uffff', ''];
  try {
    const key: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
    if (Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string')) return key as [string, string];
  } catch {}
  throw new AppError({ code: 'invalid_cursor', message: 'cursor is not one this API returned', status: 400 });
}

/** The cursor after a row keyed (time, id): base64url, so it goes into a query string as it is. */
export const cursorAfter = (at: string, id: string) =>
  btoa(JSON.stringify([at, id]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** One page from `limit + 1` rows fetched: the extra row says whether there is a next page. */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => [string, string],
  toItem: (row: Row) => Item,
): Page<Item> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(toItem), nextCursor: rows.length > limit && last ? cursorAfter(...keyOf(last)) : null };
}
