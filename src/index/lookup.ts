/** Point lookups and aggregates on the index: head, stats (O(log n) for any prefix), the bucket registry. */

import type { KeyState } from './key-state';
import { bucketZset, fail, prefixRange, type Result } from './list';
import { type ObjectVersion, readVersion } from './payload';
import { BUCKETS_KEY, type IndexScope, indexKeyNames, isWrongType, readKeyState } from './store';

export interface HeadResult extends ObjectVersion {
  readonly key: string;
}

/**
 * The listed (current, not deleted) version of `key`, or undefined when the index does not list it. A listed key
 * whose payload does not decode answers UNREADABLE_VERSION's fields, as its listing row does (payload.ts).
 */
export function head(scope: IndexScope, bucket: string, key: string): Result<HeadResult | undefined> {
  const z = bucketZset(scope, bucket);
  if (!z.ok) return z;
  const payload = z.value?.payload(Buffer.from(key, 'utf8'));
  return { ok: true, value: payload === undefined ? undefined : { key, ...readVersion(payload) } };
}

/**
 * A version of `key` among those the index keeps (the current one, delete markers included, and up to
 * KeyLimits.maxNoncurrent older ones): by version id ("null" names the unversioned one), or the current version
 * when `versionId` is undefined (a delete marker when the key's current version is one; undefined when the index
 * knows nothing of the key or its current version awaits verification).
 */
export function version(
  scope: IndexScope,
  bucket: string,
  key: string,
  versionId?: string,
): Result<HeadResult | undefined> {
  const z = bucketZset(scope, bucket);
  if (!z.ok) return z;
  const s = readKeyState(scope, bucket, Buffer.from(key, 'utf8'));
  if (isWrongType(s)) return fail('WrongType', s.message);
  return { ok: true, value: pickVersion(s, key, versionId) };
}

/** The version `version` answers from a key's state (see there). */
export function pickVersion(s: KeyState, key: string, versionId: string | undefined): HeadResult | undefined {
  const v =
    versionId === undefined
      ? s.verify
        ? undefined
        : s.versions[0]
      : s.versions.find((x) => (x.versionId ?? 'null') === versionId);
  return v === undefined ? undefined : { key, ...v };
}

export interface PrefixStats {
  /** number of listed objects whose key starts with the prefix */
  readonly objects: number;
  /** sum of their sizes */
  readonly bytes: number;
}

/** Object count and total bytes under `prefix`: two countBelowLex and one weightBetween, O(log n). */
export function stats(scope: IndexScope, bucket: string, prefix = ''): Result<PrefixStats> {
  const z = bucketZset(scope, bucket);
  if (!z.ok) return z;
  if (z.value === undefined) return { ok: true, value: { objects: 0, bytes: 0 } };
  const [lo, hi] = prefixRange(z.value, Buffer.from(prefix, 'utf8'));
  return { ok: true, value: { objects: hi - lo, bytes: hi > lo ? z.value.weightBetween(lo, hi) : 0 } };
}

/** Names of every indexed bucket, in byte order. */
export function listBuckets(scope: IndexScope): string[] {
  const reg = scope.db.lookup(BUCKETS_KEY, scope.now);
  if (reg?.type !== 'set') return [];
  return [...reg.v].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
}

/** Keys awaiting verification (HeadObject) in a bucket. */
export function pendingVerification(scope: IndexScope, bucket: string, count = Number.POSITIVE_INFINITY): string[] {
  const v = scope.db.lookup(indexKeyNames(bucket).verify, scope.now);
  if (v?.type !== 'set') return [];
  const out: string[] = [];
  for (const k of v.v) {
    if (out.length >= count) break;
    out.push(Buffer.from(k, 'latin1').toString('utf8'));
  }
  return out;
}

/** Everything the index knows about a key (versions, tombstones, verify flag): for diagnostics and tests. */
export function inspectKey(scope: IndexScope, bucket: string, key: string) {
  const s = readKeyState(scope, bucket, Buffer.from(key, 'utf8'));
  return isWrongType(s) ? fail('WrongType', s.message) : { ok: true as const, value: s };
}
