/**
 * How sorted-set commands reach their value. A zset is `{ type: 'zset', v: SortedSet }`.
 *
 * Invariant kept by every write: an empty sorted set is never stored (the write that empties it deletes the key),
 * and every in-place change is reported with `db.modified`.
 */
import type { KeySpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import type { Keyspace } from '../../keyspace';
import { keyOf } from '../../keyspace';
import type { Reply } from '../../reply';
import { SortedSet } from '../../structures/sortedset';

/** The sorted set at `key` for reading: undefined when absent, WRONGTYPE when the key holds another type. */
export function zsetForRead(db: Keyspace, key: Buffer, now: number): SortedSet | undefined | Reply {
  const v = db.lookup(keyOf(key), now);
  if (v === undefined) return undefined;
  if (v.type !== 'zset') return WRONGTYPE;
  return v.v;
}

/**
 * The sorted set at `key` for writing, created (and stored) when absent. Callers finish with `zsetWritten`, which
 * deletes the key again if nothing was added.
 */
export function zsetForWrite(db: Keyspace, key: Buffer, now: number): SortedSet | Reply {
  const k = keyOf(key);
  const v = db.lookup(k, now);
  if (v === undefined) {
    const zs = new SortedSet();
    db.set(k, { type: 'zset', v: zs });
    return zs;
  }
  if (v.type !== 'zset') return WRONGTYPE;
  return v.v;
}

/** Reports a change to the sorted set at `key`, deleting the key when the set became empty. */
export function zsetWritten(db: Keyspace, key: Buffer, zs: SortedSet): void {
  const k = keyOf(key);
  if (zs.size === 0) db.remove(k);
  else db.modified(k);
}

/**
 * Replaces `key` with `zs` (ZRANGESTORE, ZUNIONSTORE…): like Redis's setKey, any TTL is dropped; an empty result
 * deletes the destination instead.
 */
export function storeZset(db: Keyspace, key: Buffer, zs: SortedSet, now: number): void {
  const k = keyOf(key);
  if (zs.size > 0) db.set(k, { type: 'zset', v: zs });
  else db.delete(k, now);
}

export function isSortedSet(x: unknown): x is SortedSet {
  return x instanceof SortedSet;
}

export const oneKey: KeySpec = Object.freeze({ first: 1, last: 1, step: 1 });
/** Commands whose keys follow a numkeys argument: Redis's legacy key triplet names none of them (movablekeys). */
export const movableKeys: KeySpec = Object.freeze({ first: 0, last: 0, step: 0 });

/**
 * The keys of `CMD [dest] numkeys key [key ...]` with numkeys at argv[at] (ZUNION: 1; ZUNIONSTORE: 2, after its
 * destination), for `CommandSpec.keysOf`. A numkeys that is not a count names only the keys before it.
 */
export function numkeysKeys(at: number): (argv: Buffer[]) => Buffer[] {
  return (argv) => {
    const before = argv.slice(1, at);
    const n = Number(argv[at]?.toString('latin1'));
    if (!Number.isInteger(n) || n < 1) return before;
    return [...before, ...argv.slice(at + 1, Math.min(argv.length, at + 1 + n))];
  };
}
/** ZRANGESTORE dst src …: both keys, as in Redis's legacy triplet (1, 2, 1). */
export const rangeStoreKeys: KeySpec = Object.freeze({ first: 1, last: 2, step: 1 });
