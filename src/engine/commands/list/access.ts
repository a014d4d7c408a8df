/**
 * How list commands reach their value, and the list operations a later blocking layer (BLPOP, BLMOVE, BLMPOP)
 * needs as plain functions: `popFrom`, `moveBetween`, `popReply`.
 *
 * Invariant kept by every write: an empty list is never stored (the last pop deletes the key).
 */

import { WRONGTYPE } from '../../errors';
import type { Keyspace } from '../../keyspace';
import { keyOf } from '../../keyspace';
import { array, bulk, bulkArray, type Reply } from '../../reply';
import { List, type Side } from '../../structures/list';
import { isOpt } from '../arguments';

export { List, type Side };

/** The list at `key` for reading (or for a write that never creates it): undefined when absent, else WRONGTYPE. */
export function listAt(db: Keyspace, key: Buffer, now: number): List | undefined | Reply {
  const v = db.lookup(keyOf(key), now);
  if (v === undefined) return undefined;
  if (v.type !== 'list') return WRONGTYPE;
  return v.v;
}

export function isList(x: List | undefined | Reply): x is List {
  return x instanceof List;
}

/** The list at `key`, or a new empty one that is not stored yet (store it with `listWritten`). */
export function listForPush(db: Keyspace, key: Buffer, now: number): List | Reply {
  const l = listAt(db, key, now);
  return l === undefined ? new List() : l;
}

/**
 * Reports a change to the list at `key`: stores a new list, deletes the key when the list became empty, else
 * marks the key modified.
 */
export function listWritten(db: Keyspace, key: Buffer, list: List): void {
  const k = keyOf(key);
  if (list.length === 0) {
    if (db.data.get(k) !== undefined) db.remove(k);
    return;
  }
  const v = db.data.get(k);
  if (v === undefined || v.type !== 'list' || v.v !== list) db.set(k, { type: 'list', v: list });
  else db.modified(k);
}

/** Pops up to `count` entries from one end of `list`, in the order popped. */
export function popFrom(list: List, side: Side, count: number): Buffer[] {
  const out: Buffer[] = [];
  const n = Math.min(count, list.length);
  for (let i = 0; i < n; i++) out.push(list.pop(side)!);
  return out;
}

/**
 * Pops `count` entries from the list at `key` (which must exist and be a list) and deletes the key when empty.
 * The reply is LMPOP's: [key, [entries…]].
 */
export function popReply(db: Keyspace, key: Buffer, list: List, side: Side, count: number): Reply {
  const items = popFrom(list, side, count);
  listWritten(db, key, list);
  return array([bulk(key), bulkArray(items)]);
}

/**
 * LMOVE's core: pops one entry from `src` and pushes it onto `dst` (which may be the same key). Returns the
 * entry, undefined when the source is empty or missing, or WRONGTYPE (checked for both keys before any change).
 */
export function moveBetween(
  db: Keyspace,
  src: Buffer,
  dst: Buffer,
  from: Side,
  to: Side,
  now: number,
): Buffer | undefined | Reply {
  const source = listAt(db, src, now);
  if (source === undefined) return undefined;
  if (!isList(source)) return source;
  const target = listForPush(db, dst, now);
  if (!(target instanceof List)) return target;
  const v = source.pop(from)!;
  target.push(to, v);
  // the target first: when both are one key, the list is not empty again
  listWritten(db, dst, target);
  if (target !== source) listWritten(db, src, source);
  return v;
}

/** LEFT / RIGHT, case-insensitively. */
export function sideArg(b: Buffer): Side | undefined {
  if (isOpt(b, 'LEFT')) return 'left';
  if (isOpt(b, 'RIGHT')) return 'right';
  return undefined;
}

export const oneKey = Object.freeze({ first: 1, last: 1, step: 1 });
export const twoKeys = Object.freeze({ first: 1, last: 2, step: 1 });
