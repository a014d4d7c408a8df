/**
 * How hash commands reach their value. A hash is `{ type: 'hash', v: Map<field as latin1, value bytes> }`;
 * the Map keeps insertion order, which is the order Redis's listpack encoding reports fields in
 * (an update keeps the field's place, a delete closes the gap, new fields go to the end).
 *
 * Invariant kept by every write: an empty hash is never stored (the last HDEL deletes the key).
 */

import { WRONGTYPE } from '../../errors';
import type { Keyspace } from '../../keyspace';
import { keyOf } from '../../keyspace';
import type { Reply } from '../../reply';

export type Fields = Map<string, Buffer>;

/** The fields at `key` for reading: undefined when the key is absent, WRONGTYPE when it holds something else. */
export function hashForRead(db: Keyspace, key: Buffer, now: number): Fields | undefined | Reply {
  const v = db.lookup(keyOf(key), now);
  if (v === undefined) return undefined;
  if (v.type !== 'hash') return WRONGTYPE;
  return v.v;
}

/**
 * The fields at `key` for writing, creating an empty hash when the key is absent (like Redis's
 * hashTypeLookupWriteOrCreate). Callers must finish with `hashWritten` so an empty hash never stays stored.
 */
export function hashForWrite(db: Keyspace, key: Buffer, now: number): Fields | Reply {
  const k = keyOf(key);
  const v = db.lookup(k, now);
  if (v === undefined) {
    const fields: Fields = new Map();
    db.set(k, { type: 'hash', v: fields });
    return fields;
  }
  if (v.type !== 'hash') return WRONGTYPE;
  return v.v;
}

/** Reports a change to the hash at `key`, deleting the key when the hash became empty. */
export function hashWritten(db: Keyspace, key: Buffer, fields: Fields): void {
  const k = keyOf(key);
  if (fields.size === 0) db.remove(k);
  else db.modified(k);
}

export function isFields(x: Fields | undefined | Reply): x is Fields {
  return x instanceof Map;
}

/** Field bytes ⇄ map key (latin1: one char per byte). */
export const fieldKey = (b: Buffer): string => b.toString('latin1');
export const fieldBytes = (k: string): Buffer => Buffer.from(k, 'latin1');

/** redis-server 7.0's defaults (CONFIG GET): hash-max-listpack-entries 512, hash-max-listpack-value 64. */
export const LISTPACK_MAX_ENTRIES = 512;
export const LISTPACK_MAX_VALUE = 64;

/**
 * Whether Redis would hold this hash as a listpack (small: ≤512 fields, every field and value ≤64 bytes).
 * Redis never converts a hashtable back to a listpack; we judge by the current contents, which differs from
 * Redis only for a hash that once grew large and then shrank.
 */
export function isSmallHash(fields: Fields): boolean {
  if (fields.size > LISTPACK_MAX_ENTRIES) return false;
  for (const [f, v] of fields) if (f.length > LISTPACK_MAX_VALUE || v.length > LISTPACK_MAX_VALUE) return false;
  return true;
}

export const oneKey = Object.freeze({ first: 1, last: 1, step: 1 });
