/**
 * Classic S3 event notifications (`Records[]`, eventVersion 2.x, eventSource aws:s3) → ObjectEvent.
 * Keys arrive form-URL-encoded and are decoded here. `s3:TestEvent` messages are recognised by the caller.
 */
import type { ParseResult } from './eventbridge';
import {
  decodeNotificationKey,
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
import type { ObjectEventKind } from './types';

/** True for one record of a classic notification. */
export function isNotificationRecord(r: Record<string, unknown>): boolean {
  return r.eventSource === 'aws:s3' || (typeof r.eventName === 'string' && isRecord(r.s3));
}

/** True for the message S3 sends when a notification configuration is saved. */
export function isTestEvent(v: Record<string, unknown>): boolean {
  return v.Event === 's3:TestEvent';
}

function kindOf(eventName: string): ObjectEventKind {
  const [family = '', action = ''] = eventName.replace(/^s3:/, '').split(':');
  switch (family) {
    case 'ObjectCreated':
      return 'created';
    case 'ObjectRemoved':
    case 'LifecycleExpiration':
      return action.startsWith('DeleteMarkerCreated') ? 'delete-marker-created' : 'deleted';
    case 'ObjectRestore':
      if (action === 'Post') return 'restore-initiated';
      if (action === 'Completed') return 'restore-completed';
      if (action === 'Delete') return 'restore-expired';
      return 'no-index-effect';
    case 'LifecycleTransition':
      return 'storage-class-changed';
    case 'IntelligentTiering':
      return 'access-tier-changed';
    default:
      return 'no-index-effect';
  }
}

export function parseNotificationRecord(r: Record<string, unknown>): ParseResult {
  const name = r.eventName;
  if (typeof name !== 'string') return { rejected: 'missing eventName' };
  const kind = kindOf(name);
  const time = validTime(r.eventTime);
  if (time === undefined) return { rejected: 'missing or invalid eventTime' };
  const s3 = r.s3;
  if (!isRecord(s3)) return { rejected: 'missing s3' };
  const bucket = validBucket(isRecord(s3.bucket) ? s3.bucket.name : undefined);
  if (bucket === undefined) return { rejected: 'missing or invalid s3.bucket.name' };
  const object = s3.object;
  if (!isRecord(object) || typeof object.key !== 'string') return { rejected: 'missing s3.object.key' };
  const key = decodeNotificationKey(object.key);
  if (key === undefined) return { rejected: 'malformed URL encoding in s3.object.key' };
  const problem = keyProblem(key);
  if (problem) return { rejected: problem };
  const sequencer = optional(object.sequencer, normaliseSequencer);
  if (sequencer === null) return { rejected: 'invalid s3.object.sequencer' };
  if ((kind === 'created' || kind === 'deleted' || kind === 'delete-marker-created') && sequencer === undefined)
    return { rejected: `missing s3.object.sequencer on ${name}` };
  const size = optional(object.size, validSize);
  if (size === null) return { rejected: 'invalid s3.object.size' };
  if (kind === 'created' && size === undefined) return { rejected: `missing s3.object.size on ${name}` };
  const etag = optional(object.eTag, validEtag);
  if (etag === null) return { rejected: 'invalid s3.object.eTag' };
  const versionId = optional(object.versionId, validVersionId);
  if (versionId === null) return { rejected: 'invalid s3.object.versionId' };

  let storageClass: string | undefined;
  let accessTier: string | undefined;
  let restoreExpiry: number | undefined;
  let effective = kind;
  if (kind === 'storage-class-changed') {
    const data = path(r, 'lifecycleEventData', 'transitionEventData');
    storageClass = validToken(data?.destinationStorageClass);
    // Without the destination class there is nothing to update: reconcile picks it up.
    if (storageClass === undefined) effective = 'no-index-effect';
  } else if (kind === 'access-tier-changed') {
    accessTier = validToken(path(r, 'intelligentTieringEventData')?.destinationAccessTier);
    if (accessTier === undefined) effective = 'no-index-effect';
  } else if (kind === 'restore-completed') {
    const x = optional(path(r, 'glacierEventData', 'restoreEventData')?.lifecycleRestorationExpiryTime, validTime);
    if (x === null) return { rejected: 'invalid lifecycleRestorationExpiryTime' };
    restoreExpiry = x;
  }
  const response = r.responseElements;
  const requestId = isRecord(response) ? response['x-amz-request-id'] : undefined;
  return {
    event: {
      source: 's3-notification',
      kind: effective,
      type: name,
      bucket,
      key,
      time,
      sequencer,
      size,
      etag,
      versionId,
      storageClass,
      accessTier,
      restoreExpiry,
      id: typeof requestId === 'string' ? requestId : undefined,
    },
  };
}

function path(v: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | undefined {
  let cur: unknown = v;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return isRecord(cur) ? cur : undefined;
}
