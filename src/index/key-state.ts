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
 *   - verified (what a HeadObject begun at `checkedAt`, by the index's clock, said of the key's current version:
 *     PRESENT with a version, or ABSENT): settles `verify` and corrects drift, never overriding an event applied
 *     since the HEAD began. It is stale when
 *       - a known version (object or delete marker) was written after checkedAt (lastModified > checkedAt), or
 *       - PRESENT, and a deletion of that very version was ingested at or after checkedAt (tombstone `at`) and is
 *         not known to precede the version's write (tombstone `time` unset or ≥ its lastModified).
 *     It is a duplicate when the index already shows the same and has nothing to verify: PRESENT, the same version
 *     id, etag and size; ABSENT, a current delete marker, or no version and a deletion or absence marker of the null
 *     version at least as recent as checkedAt (a key merely unknown still gets the marker). Otherwise it clears `verify` and:
 *       - PRESENT: the version becomes current. A version the index knows by id keeps its record (and sequencer)
 *         and the versions older than it; the known ones newer than it (S3 says they are gone: their deletions'
 *         events are lost or late) leave tombstones of their sequencers. An unknown version takes the unknown
 *         sequencer '' and is the only one kept (HeadObject tells nothing of older ones); a late put of another
 *         version written no later than it (lastModified) is then stale.
 *       - ABSENT: every known version is dropped and an absence marker is left: a tombstone of the null version
 *         with sequencer ABSENT_SEQUENCER and `time` = checkedAt. Against it, a put of ANY version written at or
 *         before checkedAt is stale (it happened before the HEAD that found nothing: its deletion's event is late
 *         or lost), as is a deletion of the null version not known to be later than checkedAt; a later put is
 *         applied (and, of the null version, replaces the marker). A crawl's row is ordered against it like any
 *         tombstone of the null version (op 'listed').
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
      readonly op: 'verified';
      readonly bucket: string;
      readonly key: string;
      /** when the HeadObject began, ms since the epoch by the index's clock (TIME) */
      readonly checkedAt: number;
      /** what it returned (200: PRESENT); undefined for 404 (ABSENT) */
      readonly version?: ObjectVersion;
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
    case 'verified':
      return verified(s, op.version, op.checkedAt, now);
  }
}

/**
 * The sequencer of the absence marker a verified ABSENT leaves (a tombstone of the null version, `time` =
 * checkedAt). It compares equal to '' (unknown: the oldest), and no S3 event carries it (S3's are 16+ hex digits).
 */
export const ABSENT_SEQUENCER = '0';

export const isAbsentMarker = (t: Tombstone): boolean =>
  t.sequencer === ABSENT_SEQUENCER && t.versionId === '' && t.time !== undefined;

function verified(
  s: KeyState,
  head: ObjectVersion | undefined,
  checkedAt: number,
  now: number,
): { outcome: OpOutcome; state: KeyState } {
  const current = s.versions[0];
  if (head === undefined) {
    // a write after the HEAD began (whose version the index knows): the HEAD's 404 is older news
    if (s.versions.some((x) => x.lastModified > checkedAt)) return { outcome: 'stale', state: s };
    // hidden already, by a delete marker, or by a deletion of the null version no older than the HEAD
    const nullTomb = s.tombstones.find((t) => t.versionId === '');
    if (
      !s.verify &&
      (current?.deleteMarker || (current === undefined && nullTomb?.time !== undefined && nullTomb.time >= checkedAt))
    )
      return { outcome: 'duplicate', state: s };
    const marker: Tombstone = { versionId: '', sequencer: ABSENT_SEQUENCER, at: now, time: checkedAt };
    const tombstones = s.tombstones.filter((t) => t.versionId !== '');
    tombstones.push(marker);
    return { outcome: 'applied', state: { versions: [], tombstones: capTombstones(tombstones), verify: false } };
  }
  const id = versionKey(head.versionId);
  const existing = s.versions.find((x) => versionKey(x.versionId) === id);
  if (
    !s.verify &&
    existing !== undefined &&
    existing === current &&
    !existing.deleteMarker &&
    existing.etag === head.etag &&
    existing.size === head.size
  )
    return { outcome: 'duplicate', state: s };
  if (s.versions.some((x) => x.lastModified > checkedAt)) return { outcome: 'stale', state: s };
  // that version's deletion, ingested since the HEAD began, and not known to precede its write
  const tomb = s.tombstones.find((t) => t.versionId === id && !isAbsentMarker(t));
  if (tomb !== undefined && tomb.at >= checkedAt && (tomb.time === undefined || tomb.time >= head.lastModified))
    return { outcome: 'stale', state: s };
  const same =
    existing !== undefined && !existing.deleteMarker && existing.etag === head.etag && existing.size === head.size;
  let versions: ObjectVersion[];
  let tombstones = s.tombstones.filter((t) => !isAbsentMarker(t) || head.lastModified <= (t.time ?? 0));
  if (same) {
    const at = s.versions.indexOf(existing);
    versions = s.versions.slice(at);
    // the versions the index thought newer are gone in S3: their late puts must not come back
    const gone = s.versions.slice(0, at).filter((x) => x.sequencer !== '');
    if (gone.length > 0) {
      const ids = new Set(gone.map((x) => versionKey(x.versionId)));
      tombstones = tombstones.filter((t) => !ids.has(t.versionId));
      for (const x of gone) tombstones.push({ versionId: versionKey(x.versionId), sequencer: x.sequencer, at: now });
    }
  } else {
    versions = [{ ...head, sequencer: '', deleteMarker: false }];
  }
  return { outcome: 'applied', state: { versions, tombstones: capTombstones(tombstones), verify: false } };
}

function capTombstones(ts: Tombstone[]): Tombstone[] {
  if (ts.length > MAX_TOMBSTONES_PER_KEY) {
    ts.sort(byNewest);
    ts.length = MAX_TOMBSTONES_PER_KEY;
  }
  return ts;
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
  // a key verified absent (op 'verified'): no write from before that HEAD brings it back, whatever its version
  const absent = s.tombstones.find(isAbsentMarker);
  if (absent && v.lastModified <= absent.time!) return { outcome: 'stale', state: s };
  // a version verified current by HeadObject (unknown sequencer): an older write of another version stays behind
  const current = s.versions[0];
  if (
    !existing &&
    current !== undefined &&
    unordered(current) &&
    versionKey(current.versionId) !== '' &&
    v.lastModified <= current.lastModified
  )
    return { outcome: 'stale', state: s };
  const tomb = s.tombstones.find((t) => t.versionId === id);
  if (tomb && !isAbsentMarker(tomb) && compareSequencer(v.sequencer, tomb.sequencer) <= 0)
    return { outcome: 'stale', state: s };
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
  } else if (tomb && isAbsentMarker(tomb)) {
    // verified absent at tomb.time: only a deletion known to be later replaces the marker
    if (time === undefined || time <= tomb.time!) return { outcome: 'stale', state: s };
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
