/**
 * How set commands reach their value. A set is `{ type: 'set', v: Set<member bytes as latin1> }`.
 *
 * Invariant kept by every write: an empty set is never stored (the last SREM/SPOP/SMOVE deletes the key).
 *
 * Encoding (OBJECT ENCODING, and the order members are reported in): Redis 7.0 keeps a set of at most
 * set-max-intset-entries (512) integers as an intset, sorted by value, and converts it to a hashtable for good
 * once a non-integer member is added or it grows beyond 512; it never converts back, except that the SPOP count
 * path that rebuilds the set, and the STORE commands, start a new value. The conversions are recorded here (a
 * WeakSet of the sets Redis would hold as a hashtable); a set this module never wrote (COPY, a loaded snapshot)
 * is judged by its contents, as Redis does when it loads one.
 */

import { WRONGTYPE } from '../../errors';
import type { Keyspace } from '../../keyspace';
import { keyOf } from '../../keyspace';
import { parseInt64 } from '../../numbers';
import { bulk, type Reply } from '../../reply';

export type Members = Set<string>;

/** set-max-intset-entries */
export const INTSET_MAX_ENTRIES = 512;

const HASHTABLE = new WeakSet<Members>();

/** Member bytes ⇄ set element (latin1: one char per byte). */
export const memberKey = (b: Buffer): string => b.toString('latin1');
export const memberBytes = (m: string): Buffer => Buffer.from(m, 'latin1');

const isIntMember = (m: string): boolean => parseInt64(m) !== undefined;

function intsetEligible(s: Members): boolean {
  if (s.size > INTSET_MAX_ENTRIES) return false;
  for (const m of s) if (!isIntMember(m)) return false;
  return true;
}

/** 'intset' or 'hashtable', as Redis 7.0's OBJECT ENCODING reports it. */
export function setEncoding(s: Members): 'intset' | 'hashtable' {
  if (HASHTABLE.has(s)) return 'hashtable';
  if (intsetEligible(s)) return 'intset';
  HASHTABLE.add(s);
  return 'hashtable';
}

/** Records an attempt to add `added` (new or not) to `s`, converting it as Redis's setTypeAdd would. */
export function noteAdded(s: Members, added: Iterable<string>): void {
  if (HASHTABLE.has(s)) return;
  if (s.size > INTSET_MAX_ENTRIES) {
    HASHTABLE.add(s);
    return;
  }
  for (const m of added) {
    if (!isIntMember(m)) {
      HASHTABLE.add(s);
      return;
    }
  }
}

/** A set built afresh (STORE results, SPOP's rebuilt remainder): its encoding follows from its contents. */
export function noteFresh(s: Members): void {
  HASHTABLE.delete(s);
  if (!intsetEligible(s)) HASHTABLE.add(s);
}

const compareInts = (a: string, b: string): number => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The members in the order Redis iterates them: ascending for an intset, else the Set's own order. */
export function orderedMembers(s: Members): string[] {
  const out = [...s];
  if (setEncoding(s) === 'intset') out.sort(compareInts);
  return out;
}

/** The members of a result set in the order Redis replies with them (it builds results as intset first). */
export function resultOrder(s: Members): string[] {
  const out = [...s];
  if (intsetEligible(s)) out.sort(compareInts);
  return out;
}

export const memberReplies = (members: Iterable<string>): Reply[] => {
  const out: Reply[] = [];
  for (const m of members) out.push(bulk(memberBytes(m)));
  return out;
};

/** The set at `key` for reading: undefined when the key is absent, WRONGTYPE when it holds something else. */
export function setForRead(db: Keyspace, key: Buffer, now: number): Members | undefined | Reply {
  const v = db.lookup(keyOf(key), now);
  if (v === undefined) return undefined;
  if (v.type !== 'set') return WRONGTYPE;
  return v.v;
}

export function isMembers(x: Members | undefined | Reply): x is Members {
  return x instanceof Set;
}

/** Reports a change to the set at `key`, deleting the key when the set became empty. */
export function setWritten(db: Keyspace, key: Buffer, s: Members): void {
  const k = keyOf(key);
  if (s.size === 0) db.remove(k);
  else db.modified(k);
}

/** Stores a result set at `key` (replacing whatever is there, TTL included), or deletes the key when it is empty. */
export function storeResult(db: Keyspace, key: Buffer, s: Members, now: number): void {
  const k = keyOf(key);
  if (s.size === 0) {
    db.delete(k, now);
    return;
  }
  noteFresh(s);
  db.set(k, { type: 'set', v: s });
}

/** Picks a uniformly random member. */
export function randomMember(s: Members): string | undefined {
  let i = Math.floor(Math.random() * s.size);
  for (const m of s) if (i-- === 0) return m;
  return undefined;
}

/** `count` distinct random members (count < size). */
export function randomDistinct(s: Members, count: number): string[] {
  const all = [...s];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (all.length - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  all.length = count;
  return all;
}

export const oneKey = Object.freeze({ first: 1, last: 1, step: 1 });
export const allKeys = Object.freeze({ first: 1, last: -1, step: 1 });
