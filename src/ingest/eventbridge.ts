/**
 * EventBridge events from S3 (source `aws.s3`, every detail-type S3 emits) → ObjectEvent.
 * Unknown fields are ignored; etag, version-id and sequencer are optional (they are absent on several types).
 * Keys are raw (not URL-encoded) in EventBridge events.
 */
import {
  isRecord,
  keyProblem,
  optional,
  validBucket,
  validEtag,
  validSize,
  validTime,
  validToken,
  validVersionId,
} from './fields';
import { normaliseSequencer } from './sequencer';
import type { ObjectEvent, ObjectEventKind } from './types';

export type ParseResult = { event: ObjectEvent } | { rejected: string };

const KINDS: Readonly<Record<string, ObjectEventKind>> = {
  'Object Created': 'created',
  'Object Deleted': 'deleted',
  'Object Storage Class Changed': 'storage-class-changed',
  'Object Access Tier Changed': 'access-tier-changed',
  'Object Restore Initiated': 'restore-initiated',
  'Object Restore Completed': 'restore-completed',
  'Object Restore Expired': 'restore-expired',
  'Object Tags Added': 'no-index-effect',
  'Object Tags Deleted': 'no-index-effect',
  'Object ACL Updated': 'no-index-effect',
};

/** True when `v` looks like an EventBridge envelope (whatever its source). */
export function isEventBridgeEvent(v: Record<string, unknown>): boolean {
  return typeof v['detail-type'] === 'string' && 'detail' in v;
}

export function parseEventBridge(e: Record<string, unknown>): ParseResult {
  if (e.source !== 'aws.s3') return { rejected: `not an S3 event (source ${JSON.stringify(e.source)})` };
  const type = e['detail-type'];
  if (typeof type !== 'string') return { rejected: 'missing detail-type' };
  let kind = KINDS[type];
  if (kind === undefined) kind = 'no-index-effect';
  const time = validTime(e.time);
  if (time === undefined) return { rejected: 'missing or invalid time' };
  const detail = e.detail;
  if (!isRecord(detail)) return { rejected: 'missing detail' };
  const bucket = validBucket(isRecord(detail.bucket) ? detail.bucket.name : undefined);
  if (bucket === undefined) return { rejected: 'missing or invalid detail.bucket.name' };
  const object = detail.object;
  if (!isRecord(object)) return { rejected: 'missing detail.object' };
  if (typeof object.key !== 'string') return { rejected: 'missing detail.object.key' };
  const key = object.key;
  const problem = keyProblem(key);
  if (problem) return { rejected: problem };

  if (kind === 'deleted' && detail['deletion-type'] === 'Delete Marker Created') kind = 'delete-marker-created';
  const sequencer = optional(object.sequencer, normaliseSequencer);
  if (sequencer === null) return { rejected: 'invalid detail.object.sequencer' };
  if ((kind === 'created' || kind === 'deleted' || kind === 'delete-marker-created') && sequencer === undefined)
    return { rejected: `missing detail.object.sequencer on ${type}` };
  const size = optional(object.size, validSize);
  if (size === null) return { rejected: 'invalid detail.object.size' };
  if (kind === 'created' && size === undefined) return { rejected: 'missing detail.object.size on Object Created' };
  const etag = optional(object.etag, validEtag);
  if (etag === null) return { rejected: 'invalid detail.object.etag' };
  const versionId = optional(object['version-id'], validVersionId);
  if (versionId === null) return { rejected: 'invalid detail.object.version-id' };

  let storageClass: string | undefined;
  let accessTier: string | undefined;
  let restoreExpiry: number | undefined;
  if (kind === 'storage-class-changed') {
    storageClass = validToken(detail['destination-storage-class']);
    if (storageClass === undefined) return { rejected: 'missing or invalid detail.destination-storage-class' };
  } else if (kind === 'access-tier-changed') {
    accessTier = validToken(detail['destination-access-tier']);
    if (accessTier === undefined) return { rejected: 'missing or invalid detail.destination-access-tier' };
  } else if (kind === 'restore-completed') {
    const x = optional(detail['restore-expiry-time'], validTime);
    if (x === null) return { rejected: 'invalid detail.restore-expiry-time' };
    restoreExpiry = x;
  }
  return {
    event: {
      source: 'eventbridge',
      kind,
      type,
      bucket,
      key,
      time,
      sequencer,
      size,
      etag,
      versionId,
      reason: typeof detail.reason === 'string' ? detail.reason : undefined,
      storageClass,
      accessTier,
      restoreExpiry,
      id: typeof e.id === 'string' ? e.id : undefined,
    },
  };
}
