import { problem } from '@app/http';
import { RankKey } from './ranking';

/**
 * Opaque list cursors: base64url of JSON {v, q, k, id} where `q` names the list (its sort,
 * tier and filters) and `k`/`id` the last item's rank key. Keyset, not offset: a page starts
 * right after the last item seen even when the list changed in between. A cursor that does not
 * decode, or belongs to another list, is a client mistake: 400 `bad-cursor`.
 */
export const encodeCursor = (list: string, key: RankKey): string =>
  Buffer.from(JSON.stringify({ v: 1, q: list, k: key.values, id: key.id }), 'utf8').toString('base64url');

const badCursor = (detail: string) => problem(400, 'bad-cursor', detail);

export const decodeCursor = (cursor: string, list: string, keyLength: number): RankKey => {
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor('The cursor is not one this API issued.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('The cursor is not one this API issued.');
  }
  const { v, q, k, id } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const valuesOk =
    Array.isArray(k) && k.length === keyLength && k.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)));
  if (v !== 1 || typeof id !== 'string' || id.length > 64 || !valuesOk) throw badCursor('The cursor is not one this API issued.');
  if (q !== list) throw badCursor('The cursor belongs to a list with other parameters; start again without a cursor.');
  return { values: k as (number | null)[], id };
};
