/**
 * The pure per-key state machine of the index: what the index knows about one object key, and how one index
 * operation changes it. No I/O: `store.ts` loads a KeyState from the engine, calls `applyOp`, and writes back the
 * difference, so one event is applied entirely or not at all.
 *
 * Model (S3's own): a key has a stack of versions ordered by the sequencer of the event that created them; the
 * newest one is current; the key is listed when the current version is an object, hidden when it is a delete
 * marker. Unversioned buckets are the special case of a single "null" version that every PUT replaces. The state
 * is a function of the SET of events received (a CRDT): replaying them in any order, with duplicates, converges.
 *   - put(version v, seq s): stale if the known record of v, or a tombstone of v, has seq ≥ s.
 *   - remove(version v, seq s): drops the record of v when older than s and leaves a tombstone (v, s) so a late,
 *     older put cannot resurrect it. Removing the current version of a versioned key when no older version is
 *     known sets `verify` (S3 made an unknown older version current, without an event: HeadObject needed); a
 *     later put that becomes current (a late event of that older version, or a newer one) clears it.
 *   - patch (metadata-only events, no sequencer): updates the targeted live version, never creates one; ordered
 *     by event time against the version's lastModified and its last metadata update.
 *   - listed (a row of a ListObjectsV2 crawl or an inventory, begun at `crawlStart`: no sequencer, no version id):
 *     fills in what the events did not tell, never overrides what they did. It is applied only
 *       - to a key with no state: unless a deletion of it was ingested since the crawl began and the row does not
 *         show a later write than the deletion's event (it may have been deleted after the row was read: never
 *         resurrected); the version gets the unknown sequencer ''. (A
 *         deletion ingested before the crawl began happened before the row was read, and S3's listings are
 *         strongly consistent: the row shows a later write. crawlStart must come from the index's clock, which
 *         stamps the tombstones.)
 *       - over a current unversioned version that the row shows written later (lastModified): an event was lost.
 *     Otherwise it is stale (the events know as much or more), or a duplicate (the same object). On a versioned key
 *     showing a later write it sets `verify` instead (the row names no version id: HeadObject must tell).
 *   A version with the unknown sequencer '' (a listed row, or an event without one) is ordered by time instead: a
 *   put older than it (lastModified) or a remove whose event time is older are stale, so that a late event of a
 *   write or deletion that preceded the listed object cannot undo it.
 * Bounded: at most `maxNoncurrent` non-current versions (oldest dropped) and one tombstone per version id, at most
 * MAX_TOMBSTONES_PER_KEY per key; tombstone retention over time is enforced by store-level compaction.
 */

import type { ObjectVersion, RestoreState, Tombstone } from './payload';
import { compareSequencer } from './sequencer';

export interface KeyState {
  /** live versions and delete markers known for the key, newest (current) first */
  readonly versions: readonly ObjectVersion[];
  readonly tombstones: readonly Tombstone[];
  /** the current version is unknown: a current version was removed and no older one is known */
  readonly verify: boolean;
}

export const EMPTY_STATE: KeyState = Object.freeze({ versions: [], tombstones: [], verify: false });

export type IndexOp =
  | { readonly op: 'put'; readonly bucket: string; readonly key: string; readonly version: ObjectVersion }
  | {
      readonly op: 'remove';
      readonly bucket: string;
      readonly key: string;
      /** undefined: an unversioned delete (removes the null version) */
      readonly versionId?: string;
      readonly sequencer: string;
      /** the event's time (ms): orders the removal against a version of unknown sequencer */
      readonly time?: number;
    }
  | {
      readonly op: 'listed';
      readonly bucket: string;
      readonly key: string;
      /** the listed object: no version id, sequencer '' */
      readonly version: ObjectVersion;
      /** when the crawl (or the inventory) began, ms since the epoch */
      readonly crawlStart: number;
    }
  | {
      readonly op: 'patch';
      readonly bucket: string;
      readonly key: string;
      /** targets this version; the current one when undefined */
      readonly versionId?: string;
      /** when given, the patch only applies to a version with this etag */
      readonly etag?: string;
      readonly time: number;
      readonly storageClass?: string;
      readonly accessTier?: string;
      /** null clears the restore state (restore expired) */
      readonly restore?: RestoreState | null;
    };

export type OpOutcome = 'applied' | 'stale' | 'duplicate' | 'ignored';

export interface KeyLimits {
  /** non-current versions (incl. delete markers) kept per key to restore on a removal of the current one */
  readonly maxNoncurrent: number;
}

export const MAX_TOMBSTONES_PER_KEY = 16;

/** The null version ('null' in S3's API, absent in unversioned buckets) has one identity. */
export const versionKey = (v: string | undefined): string => (v === undefined || v === 'null' ? '' : v);

/** The current version (newest), or undefined when nothing is known. */
export const currentVersion = (s: KeyState): ObjectVersion | undefined => s.versions[0];

/** The version a listing shows: the current one unless it is a delete marker or the key awaits verification. */
export function visibleVersion(s: KeyState): ObjectVersion | undefined {
  const c = s.versions[0];
  return c && !c.deleteMarker && !s.verify ? c : undefined;
}

const byNewest = (a: { sequencer: string }, b: { sequencer: string }): number =>
  compareSequencer(b.sequencer, a.sequencer);

export function applyOp(
  s: KeyState,
  op: IndexOp,
  now: number,
  limits: KeyLimits,
): { outcome: OpOutcome; state: KeyState } {
  switch (op.op) {
    case 'put':
      return put(s, op.version, limits);
    case 'remove':
      return remove(s, op.versionId, op.sequencer, now, op.time);
    case 'patch':
      return patch(s, op);
    case 'listed':
      return listed(s, op.version, op.crawlStart, limits);
  }
}

/** A version whose order against events is known only by time: a listed row's, or an event's without sequencer. */
const unordered = (v: ObjectVersion): boolean => v.sequencer === '';

function listed(
  s: KeyState,
  row: ObjectVersion,
  crawlStart: number,
  limits: KeyLimits,
): { outcome: OpOutcome; state: KeyState } {
  const v: ObjectVersion = { ...row, versionId: undefined, sequencer: '', deleteMarker: false };
  const current = s.versions[0];
  if (current === undefined) {
    if (s.verify) return { outcome: 'ignored', state: s };
    const tomb = s.tombstones.find((t) => t.versionId === '');
    // deleted while the crawl ran: the row may have been read before the deletion, unless it shows a write later
    // than the deletion's event. A deletion ingested before the crawl began happened before the row was read, and
    // S3's listings are strongly consistent: the row shows a later write (whose event is lost or still to come)
    if (tomb !== undefined && tomb.at >= crawlStart && (tomb.time === undefined || v.lastModified <= tomb.time))
      return { outcome: 'stale', state: s };
    // a versioned key whose versions were all deleted: the row names no version id, HeadObject must tell
    if (s.tombstones.some((t) => t.versionId !== ''))
      return { outcome: 'applied', state: { versions: s.versions, tombstones: s.tombstones, verify: true } };
    const tombstones = tomb ? s.tombstones.filter((t) => t !== tomb) : s.tombstones;
    return { outcome: 'applied', state: { versions: [v], tombstones, verify: false } };
  }
  if (current.versionId !== undefined && current.versionId !== 'null') {
    // versioned: the row names no version; a later write than the index knows needs HeadObject
    if (v.lastModified > current.lastModified && !s.verify)
      return { outcome: 'applied', state: { versions: s.versions, tombstones: s.tombstones, verify: true } };
    return { outcome: 'stale', state: s };
  }
  if (current.deleteMarker) return { outcome: 'stale', state: s };
  if (current.etag === v.etag && current.size === v.size) return { outcome: 'duplicate', state: s };
  if (v.lastModified <= current.lastModified) return { outcome: 'stale', state: s };
  // a write the events did not tell: the row replaces the current (null) version, keeping the older ones
  return put({ versions: s.versions.slice(1), tombstones: s.tombstones, verify: s.verify }, v, limits);
}

function put(s: KeyState, v: ObjectVersion, limits: KeyLimits): { outcome: OpOutcome; state: KeyState } {
  const id = versionKey(v.versionId);
  const existing = s.versions.find((x) => versionKey(x.versionId) === id);
  if (existing) {
    const c = compareSequencer(v.sequencer, existing.sequencer);
    if (c === 0) return { outcome: 'duplicate', state: s };
    if (c < 0) return { outcome: 'stale', state: s };
  }
  // a listed version (unknown sequencer) yields only to a write at least as recent
  if (existing && unordered(existing) && !unordered(v) && v.lastModified < existing.lastModified)
    return { outcome: 'stale', state: s };
  const tomb = s.tombstones.find((t) => t.versionId === id);
  if (tomb && compareSequencer(v.sequencer, tomb.sequencer) <= 0) return { outcome: 'stale', state: s };
  const versions = s.versions.filter((x) => x !== existing);
  versions.push(v);
  versions.sort(byNewest);
  if (versions.length > 1 + limits.maxNoncurrent) {
    versions.length = 1 + limits.maxNoncurrent;
    // older than every version kept: it would be dropped again at once
    if (!versions.includes(v)) return { outcome: 'stale', state: s };
  }
  const tombstones = tomb ? s.tombstones.filter((t) => t !== tomb) : s.tombstones;
  // A version that becomes current settles an open verification: the older version S3 restored is now known
  // (or a newer one superseded it).
  const verify = s.verify && versions[0] !== v;
  return { outcome: 'applied', state: { versions, tombstones, verify } };
}

function remove(
  s: KeyState,
  versionId: string | undefined,
  sequencer: string,
  now: number,
  time?: number,
): { outcome: OpOutcome; state: KeyState } {
  const id = versionKey(versionId);
  const existing = s.versions.find((x) => versionKey(x.versionId) === id);
  const tomb = s.tombstones.find((t) => t.versionId === id);
  if (existing) {
    if (compareSequencer(sequencer, existing.sequencer) <= 0) return { outcome: 'stale', state: s };
    // a deletion that happened before a listed version was written
    if (unordered(existing) && time !== undefined && time < existing.lastModified)
      return { outcome: 'stale', state: s };
  } else if (tomb) {
    const c = compareSequencer(sequencer, tomb.sequencer);
    if (c === 0) return { outcome: 'duplicate', state: s };
    if (c < 0) return { outcome: 'stale', state: s };
  }
  const versions = existing ? s.versions.filter((x) => x !== existing) : s.versions;
  const tombstones = s.tombstones.filter((t) => t !== tomb);
  tombstones.push(
    time !== undefined && time >= 0
      ? { versionId: id, sequencer, at: now, time }
      : { versionId: id, sequencer, at: now },
  );
  if (tombstones.length > MAX_TOMBSTONES_PER_KEY) {
    tombstones.sort(byNewest);
    tombstones.length = MAX_TOMBSTONES_PER_KEY;
  }
  let verify = s.verify;
  // S3 makes the next older version current without an event; when none is known, HeadObject must tell.
  if (existing && existing === s.versions[0] && versionId !== undefined && versions.length === 0) verify = true;
  return { outcome: 'applied', state: { versions, tombstones, verify } };
}

function patch(s: KeyState, op: Extract<IndexOp, { op: 'patch' }>): { outcome: OpOutcome; state: KeyState } {
  const id = versionKey(op.versionId);
  const target = op.versionId === undefined ? s.versions[0] : s.versions.find((x) => versionKey(x.versionId) === id);
  if (!target || target.deleteMarker) return { outcome: 'ignored', state: s };
  if (op.etag !== undefined && target.etag !== undefined && op.etag !== target.etag)
    return { outcome: 'ignored', state: s };
  if (op.time < target.lastModified || (target.metaTime !== undefined && op.time < target.metaTime))
    return { outcome: 'stale', state: s };
  const next: ObjectVersion = { ...target, metaTime: op.time };
  if (op.storageClass !== undefined) next.storageClass = op.storageClass;
  if (op.accessTier !== undefined) next.accessTier = op.accessTier;
  if (op.restore === null) delete next.restore;
  else if (op.restore !== undefined) next.restore = op.restore;
  if (sameVersion(next, target)) return { outcome: 'duplicate', state: s };
  const versions = s.versions.map((x) => (x === target ? next : x));
  return { outcome: 'applied', state: { versions, tombstones: s.tombstones, verify: s.verify } };
}

function sameVersion(a: ObjectVersion, b: ObjectVersion): boolean {
  return (
    a.storageClass === b.storageClass &&
    a.accessTier === b.accessTier &&
    a.metaTime === b.metaTime &&
    a.restore?.status === b.restore?.status &&
    (a.restore?.status === 'restored' ? a.restore.expiry : undefined) ===
      (b.restore?.status === 'restored' ? b.restore.expiry : undefined)
  );
}
