/**
 * Where the index of bucket B lives in the engine (plain Redis data, readable over RESP), and the one place that
 * writes it. All keys of a bucket share the hash tag {B}, so a Redis Cluster keeps a bucket on one node.
 *
 *   s3idx:{B}:keys    zset   member = object key bytes, score 0 (ZRANGEBYLEX / ZSCORE / ZCARD work as on any zset);
 *                            SortedSet payload = the current version's metadata (payload.ts), weight = its size
 *                            (derived from the payload: payloadSize), so counts and byte totals of any key range
 *                            are O(log n).
 *                            Holds exactly the keys a listing shows.
 *   s3idx:{B}:hist    hash   field = object key, value = history record (payload.ts): the versions that are known
 *                            but not listed (non-current versions, a current delete marker). Only for keys of
 *                            versioned buckets that have such versions; at most KeyLimits.maxNoncurrent per key.
 *   s3idx:{B}:tomb    hash   field = object key, value = tombstone record: (version id, sequencer, ingest time) of
 *                            deletions, so a late, older create cannot resurrect the key. The hash's insertion order
 *                            is the order of the last deletion (a field is re-inserted when it changes), which makes
 *                            retention compaction a walk from the front: O(expired). A HeadObject that found no
 *                            object (S3IDX.VERIFIED … ABSENT) leaves an absence marker here (key-state.ts, op
 *                            'verified': the null version, sequencer ABSENT_SEQUENCER, time = when the HEAD began).
 *   s3idx:{B}:verify  set    object keys whose current version is unknown (a current version was permanently
 *                            deleted and S3 made an older, unknown one current): reconcile must HeadObject them.
 *   s3idx:buckets     set    names of every indexed bucket (the bucket registry; a bucket stays registered when
 *                            its last object goes).
 *
 * Applying one operation: load the KeyState from those keys, run the pure `applyOp`, write back only what changed.
 * Nothing is written before the new state is fully computed, so an event is never partially applied.
 */
import type { Keyspace } from '../engine/keyspace';
import { SortedSet } from '../engine/structures/sortedset';
import type { HashValue, SetValue, ZSetValue } from '../engine/values';
import {
  applyOp,
  EMPTY_STATE,
  type IndexOp,
  type KeyLimits,
  type KeyState,
  type OpOutcome,
  versionKey,
  visibleVersion,
} from './key-state';
import {
  compareVersionSequencer,
  decodeHistory,
  decodeTombstones,
  encodeHistory,
  encodeTombstones,
  encodeVersion,
  hasUnknownSequencer,
  isUnversionedPayload,
  type ObjectVersion,
  payloadSize,
  readVersion,
} from './payload';
import { notPlainKey } from './plain-keys';

/** What every index function reads or writes: one logical database at one instant. */
export interface IndexScope {
  readonly db: Keyspace;
  /** ms since the epoch, read once per command */
  readonly now: number;
}

export interface IndexLimits extends KeyLimits {
  /** how long a deletion tombstone is kept after it was ingested */
  readonly tombstoneRetentionMs: number;
  /** per bucket; the oldest tombstones go first beyond it */
  readonly maxTombstones: number;
}

/**
 * Defaults: EventBridge retries a target for 24 h and Lambda async retries add hours; 7 days also covers a DLQ
 * redrive within the week. One million tombstones per bucket is ~150 MB at worst.
 */
export const DEFAULT_LIMITS: IndexLimits = Object.freeze({
  maxNoncurrent: 4,
  tombstoneRetentionMs: 7 * 24 * 3600 * 1000,
  maxTombstones: 1_000_000,
});

/** Every key of the index starts with this; only the S3IDX.* commands write such keys (createEngine). */
export const INDEX_KEY_PREFIX = 's3idx:';

export const BUCKETS_KEY = 's3idx:buckets';

export interface IndexKeyNames {
  readonly keys: string;
  readonly hist: string;
  readonly tomb: string;
  readonly verify: string;
}

const nameCache = new Map<string, IndexKeyNames>();

export function indexKeyNames(bucket: string): IndexKeyNames {
  let n = nameCache.get(bucket);
  if (n === undefined) {
    // bucket names are ASCII, so the latin1 keyspace strings equal the text
    const p = `s3idx:{${bucket}}:`;
    n = { keys: `${p}keys`, hist: `${p}hist`, tomb: `${p}tomb`, verify: `${p}verify` };
    if (nameCache.size >= 4096) nameCache.clear();
    nameCache.set(bucket, n);
  }
  return n;
}

const BUCKET_KEY_OPEN = `${INDEX_KEY_PREFIX}{`;

/**
 * The bucket an engine key belongs to (the inverse of indexKeyNames): B for `s3idx:{B}:…`; null for any other
 * `s3idx:` key (the registry, or a name the index does not write: its change may concern every bucket); undefined
 * for a key outside the index.
 */
export function bucketOfKeyName(name: string): string | null | undefined {
  if (!name.startsWith(INDEX_KEY_PREFIX)) return undefined;
  const close = name.startsWith(BUCKET_KEY_OPEN) ? name.indexOf('}', BUCKET_KEY_OPEN.length) : -1;
  return close < 0 ? null : name.slice(BUCKET_KEY_OPEN.length, close);
}

/** A key of the index holds another type (someone wrote it over RESP). */
export class WrongTypeError {
  constructor(readonly key: string) {}
  get message(): string {
    return `WRONGTYPE ${this.key} holds the wrong kind of value`;
  }
}

export const isWrongType = (x: unknown): x is WrongTypeError => x instanceof WrongTypeError;

export function zsetOf(scope: IndexScope, name: string): SortedSet | undefined | WrongTypeError {
  const v = scope.db.lookup(name, scope.now);
  if (v === undefined) return undefined;
  return v.type === 'zset' ? v.v : new WrongTypeError(name);
}

function hashOf(scope: IndexScope, name: string): Map<string, Buffer> | undefined | WrongTypeError {
  const v = scope.db.lookup(name, scope.now);
  if (v === undefined) return undefined;
  return v.type === 'hash' ? v.v : new WrongTypeError(name);
}

function setOf(scope: IndexScope, name: string): Set<string> | undefined | WrongTypeError {
  const v = scope.db.lookup(name, scope.now);
  if (v === undefined) return undefined;
  return v.type === 'set' ? v.v : new WrongTypeError(name);
}

interface Loaded {
  readonly names: IndexKeyNames;
  readonly zset: SortedSet | undefined;
  readonly hist: Map<string, Buffer> | undefined;
  readonly tomb: Map<string, Buffer> | undefined;
  readonly verify: Set<string> | undefined;
}

function load(scope: IndexScope, bucket: string): Loaded | WrongTypeError {
  const names = indexKeyNames(bucket);
  const zset = zsetOf(scope, names.keys);
  if (isWrongType(zset)) return zset;
  const hist = hashOf(scope, names.hist);
  if (isWrongType(hist)) return hist;
  const tomb = hashOf(scope, names.tomb);
  if (isWrongType(tomb)) return tomb;
  const verify = setOf(scope, names.verify);
  if (isWrongType(verify)) return verify;
  return { names, zset, hist, tomb, verify };
}

/** The KeyState of one object key (EMPTY_STATE when the index knows nothing about it). */
export function readKeyState(scope: IndexScope, bucket: string, key: Buffer): KeyState | WrongTypeError {
  const l = load(scope, bucket);
  if (isWrongType(l)) return l;
  return stateOf(l, key).state;
}

/** The stored state of a key; `listed` tells whether versions[0] came from the keys zset. */
function stateOf(l: Loaded, member: Buffer): { state: KeyState; listed: boolean } {
  const payload = l.zset?.payload(member);
  // most buckets have no history, tombstones or verifications: skip building the field string then
  const field = l.hist || l.tomb || l.verify ? member.toString('latin1') : '';
  const histBytes = l.hist?.get(field);
  const tombBytes = l.tomb?.get(field);
  const verify = l.verify?.has(field) ?? false;
  if (payload === undefined && histBytes === undefined && tombBytes === undefined && !verify)
    return { state: EMPTY_STATE, listed: false };
  const versions: ObjectVersion[] = histBytes ? decodeHistory(histBytes) : [];
  // a payload that does not decode is the oldest possible version (payload.ts, UNREADABLE_VERSION): any event replaces it
  if (payload !== undefined) versions.unshift(readVersion(payload));
  const state = { versions, tombstones: tombBytes ? decodeTombstones(tombBytes) : [], verify };
  return { state, listed: payload !== undefined };
}

/** Applies one index operation to the engine; WrongTypeError when an index key was overwritten with another type. */
export function applyIndexOp(
  scope: IndexScope,
  op: IndexOp,
  limits: IndexLimits,
  register = true,
  member: Buffer = Buffer.from(op.key, 'utf8'),
): OpOutcome | WrongTypeError {
  const l = load(scope, op.bucket);
  if (isWrongType(l)) return l;
  if (register) registerBucket(scope, op.bucket);
  if (op.op === 'put' && !op.version.deleteMarker && limits.maxNoncurrent >= 0) {
    const fast = putFast(scope, l, member, op.version);
    if (fast !== undefined) return fast;
  }
  const { state: before, listed } = stateOf(l, member);
  const { outcome, state } = applyOp(before, op, scope.now, limits);
  if (state !== before) write(scope, l, member, before, listed, state);
  return outcome;
}

/**
 * The put of an object version (not a delete marker) to a key with no history, tombstone or pending verification,
 * without building KeyStates: what `applyOp` + `write` do in those cases, with the same result.
 *   - key unknown: the state becomes [v]; v is listed.
 *   - key listed with an unversioned (null) version and v is unversioned too: v replaces it when its sequencer is
 *     newer; equal is a duplicate, older is stale.
 * Undefined (nothing done, nothing read beyond the lookup) for every other case: the general path handles it.
 */
function putFast(scope: IndexScope, l: Loaded, member: Buffer, v: ObjectVersion): OpOutcome | undefined {
  if (l.hist !== undefined || l.tomb !== undefined || l.verify !== undefined) {
    const field = member.toString('latin1');
    if (l.hist?.has(field) || l.tomb?.has(field) || l.verify?.has(field)) return undefined;
  }
  let zset = l.zset;
  // the lookup leaves its descent for the write of the same member Buffer (one descent in all)
  const payload = zset?.payload(member);
  if (payload === undefined) {
    if (zset === undefined) {
      zset = new SortedSet(payloadSize, notPlainKey);
      const z: ZSetValue = { type: 'zset', v: zset };
      scope.db.set(l.names.keys, z);
    }
    zset.setWithPayload(member, 0, encodeVersion(v), v.size);
    scope.db.modified(l.names.keys, member);
    return 'applied';
  }
  if (versionKey(v.versionId) !== '' || !isUnversionedPayload(payload)) return undefined;
  const c = compareVersionSequencer(v.sequencer, payload);
  if (c === 0) return 'duplicate';
  if (c < 0) return 'stale';
  // the listed version of a crawl (unknown sequencer) is ordered by time: the general path
  if (hasUnknownSequencer(payload)) return undefined;
  zset!.setPayload(member, encodeVersion(v), v.size);
  scope.db.modified(l.names.keys, member);
  return 'applied';
}

/**
 * Runs `apply` (the applies of a batch of events, in order) with the lookups of object keys members[0, n) of one
 * bucket prepared (SortedSet.prepare → PackedBTree.prepare: their cache misses overlap). Pass applyIndexOp the same
 * Buffer objects. The preparation changes nothing, and is dropped afterwards.
 */
export function withPreparedKeys(
  scope: IndexScope,
  bucket: string,
  members: readonly Buffer[],
  n: number,
  apply: () => void,
): void {
  const zset = zsetOf(scope, indexKeyNames(bucket).keys);
  if (zset === undefined || isWrongType(zset)) {
    apply();
    return;
  }
  const batch = zset.prepare(members, n);
  try {
    apply();
  } finally {
    batch.release();
  }
}

/** Adds a bucket to the registry (s3idx:buckets). */
export function registerBucket(scope: IndexScope, bucket: string): void {
  const v = scope.db.lookup(BUCKETS_KEY, scope.now);
  if (v?.type === 'set') {
    if (!v.v.has(bucket)) {
      v.v.add(bucket);
      scope.db.modified(BUCKETS_KEY);
    }
  } else if (v === undefined) {
    const s: SetValue = { type: 'set', v: new Set([bucket]) };
    scope.db.set(BUCKETS_KEY, s);
  }
  // another type at s3idx:buckets: the registry is unavailable, the index itself still works
}

/**
 * Drops a bucket's whole index: its keys, history, tombstones, verification set and its registry entry. Returns
 * whether the bucket was indexed. Whatever type its keys hold, they go (this is the way out of damaged data).
 */
export function dropBucket(scope: IndexScope, bucket: string): boolean {
  const names = indexKeyNames(bucket);
  let had = false;
  for (const name of [names.keys, names.hist, names.tomb, names.verify]) {
    if (scope.db.delete(name, scope.now)) had = true;
  }
  const reg = scope.db.lookup(BUCKETS_KEY, scope.now);
  if (reg?.type === 'set' && reg.v.delete(bucket)) {
    had = true;
    if (reg.v.size === 0) scope.db.remove(BUCKETS_KEY);
    else scope.db.modified(BUCKETS_KEY);
  }
  return had;
}

function write(scope: IndexScope, l: Loaded, member: Buffer, before: KeyState, listed: boolean, after: KeyState): void {
  const { db } = scope;
  const { names } = l;
  let fieldText: string | undefined;
  const field = (): string => {
    fieldText ??= member.toString('latin1');
    return fieldText;
  };
  const shown = visibleVersion(after);
  if (shown && listed && shown === before.versions[0]) {
    // unchanged listing entry
  } else if (shown) {
    let zset = l.zset;
    if (!zset) {
      zset = new SortedSet(payloadSize, notPlainKey);
      const v: ZSetValue = { type: 'zset', v: zset };
      db.set(names.keys, v);
    }
    // one descent each: stateOf's payload() lookup of this member left its path for the write
    if (listed) zset.setPayload(member, encodeVersion(shown), shown.size);
    else zset.setWithPayload(member, 0, encodeVersion(shown), shown.size);
    db.modified(names.keys, member);
  } else if (listed && l.zset) {
    l.zset.remove(member);
    if (l.zset.size === 0) db.remove(names.keys);
    else db.modified(names.keys, member);
  }

  const others = shown ? after.versions.slice(1) : after.versions;
  const prevOthers = listed ? before.versions.slice(1) : before.versions;
  if (!sameRefs(others, prevOthers)) {
    const hist = l.hist ?? createHash(scope, names.hist);
    if (others.length > 0) hist.set(field(), encodeHistory(others));
    else hist.delete(field());
    if (hist.size === 0) db.remove(names.hist);
    else db.modified(names.hist, member);
  }

  if (after.tombstones !== before.tombstones) {
    const tomb = l.tomb ?? createHash(scope, names.tomb);
    // re-inserted at the end: the hash stays ordered by the time of the last deletion (see compactTombstones)
    tomb.delete(field());
    if (after.tombstones.length > 0) tomb.set(field(), encodeTombstones(after.tombstones));
    if (tomb.size === 0) db.remove(names.tomb);
    else db.modified(names.tomb, member);
  }

  if (after.verify !== before.verify) {
    let set = l.verify;
    if (!set) {
      set = new Set();
      const v: SetValue = { type: 'set', v: set };
      db.set(names.verify, v);
    }
    if (after.verify) set.add(field());
    else set.delete(field());
    if (set.size === 0) db.remove(names.verify);
    else db.modified(names.verify, member);
  }
}

function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function createHash(scope: IndexScope, name: string): Map<string, Buffer> {
  const v: HashValue = { type: 'hash', v: new Map() };
  scope.db.set(name, v);
  return v.v;
}

/**
 * Drops tombstones ingested more than `tombstoneRetentionMs` ago, and the oldest ones beyond `maxTombstones`.
 * Walks the tombstone hash from the front (oldest last-deletion first) and stops at the first one still retained:
 * O(removed + 1). At most `budget` entries are removed per call to bound latency. Returns how many were removed.
 */
export function compactTombstones(
  scope: IndexScope,
  bucket: string,
  limits: IndexLimits,
  budget = 10_000,
): number | WrongTypeError {
  const name = indexKeyNames(bucket).tomb;
  const tomb = hashOf(scope, name);
  if (isWrongType(tomb) || tomb === undefined) return tomb ?? 0;
  const horizon = scope.now - limits.tombstoneRetentionMs;
  let removed = 0;
  for (const [field, bytes] of tomb) {
    if (removed >= budget) break;
    if (tomb.size <= limits.maxTombstones) {
      const newest = decodeTombstones(bytes).reduce((m, t) => Math.max(t.at, m), 0);
      if (newest > horizon) break;
    }
    tomb.delete(field);
    removed++;
  }
  if (removed > 0) {
    if (tomb.size === 0) scope.db.remove(name);
    else scope.db.modified(name);
  }
  return removed;
}

/**
 * Marks the verification of a key done: `version` is what HeadObject returned (undefined for 404). Unconditional
 * (it does not order the result against events applied since the HEAD began): S3IDX.VERIFIED, op 'verified', does.
 */
export function resolveVerification(
  scope: IndexScope,
  bucket: string,
  key: string,
  version: ObjectVersion | undefined,
): OpOutcome | WrongTypeError {
  const l = load(scope, bucket);
  if (isWrongType(l)) return l;
  const member = Buffer.from(key, 'utf8');
  const { state: before, listed } = stateOf(l, member);
  // HeadObject tells the current version only: older history is unknown from here on.
  const after: KeyState = { versions: version ? [version] : [], tombstones: before.tombstones, verify: false };
  registerBucket(scope, bucket);
  write(scope, l, member, before, listed, after);
  return 'applied';
}
