/**
 * `toIndexOps(event)`: the pure translation of one normalised S3 event into index operations (none for events the
 * index has no use for). The operations are applied together or not at all (see src/index/store.ts).
 */
import type { IndexOp } from '../index/key-state';
import type { ObjectEvent } from './types';

/** Object Created carries no storage class; S3's default is assumed until a class-change event or a reconcile. */
export const DEFAULT_STORAGE_CLASS = 'STANDARD';

export function toIndexOps(e: ObjectEvent): IndexOp[] {
  const op = toIndexOp(e);
  return op === undefined ? [] : [op];
}

/** The one operation of an event (every event maps to at most one), or undefined when it has no index effect. */
export function toIndexOp(e: ObjectEvent): IndexOp | undefined {
  const { bucket, key } = e;
  switch (e.kind) {
    case 'created':
      return put(e, false);
    case 'delete-marker-created':
      return put(e, true);
    case 'deleted':
      return { op: 'remove', bucket, key, versionId: e.versionId, sequencer: e.sequencer ?? '', time: e.time };
    case 'storage-class-changed':
      return patch(e, { storageClass: e.storageClass });
    case 'access-tier-changed':
      return patch(e, { accessTier: e.accessTier });
    case 'restore-initiated':
      return patch(e, { restore: { status: 'in-progress' } });
    case 'restore-completed':
      return patch(e, { restore: { status: 'restored', expiry: e.restoreExpiry } });
    case 'restore-expired':
      return patch(e, { restore: null });
    case 'no-index-effect':
      return undefined;
  }
}

/** A new version (an object, or a delete marker with no size or ETag) becoming the key's current one. */
function put(e: ObjectEvent, deleteMarker: boolean): IndexOp {
  return {
    op: 'put',
    bucket: e.bucket,
    key: e.key,
    version: {
      versionId: e.versionId,
      sequencer: e.sequencer ?? '',
      deleteMarker,
      size: deleteMarker ? 0 : (e.size ?? 0),
      etag: deleteMarker ? undefined : e.etag,
      lastModified: e.time,
      storageClass: DEFAULT_STORAGE_CLASS,
    },
  };
}

function patch(
  e: ObjectEvent,
  fields: Pick<Extract<IndexOp, { op: 'patch' }>, 'storageClass' | 'accessTier' | 'restore'>,
): IndexOp {
  return { op: 'patch', bucket: e.bucket, key: e.key, versionId: e.versionId, etag: e.etag, time: e.time, ...fields };
}
