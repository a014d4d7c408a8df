/**
 * Classic S3 event notifications (`Records[]`, eventVersion 2.x, eventSource aws:s3) → ObjectEvent.
 * Keys arrive form-URL-encoded and are decoded here. `s3:TestEvent` messages are recognised by the caller.
 */
import { type EventFieldNames, type EventParser, objectEvent, type ParseResult } from './event-parser';
import { isRecord, optional, validTime, validToken } from './fields';
import type { ObjectEventKind } from './types';

const NAMES: EventFieldNames = {
  badTime: 'missing or invalid eventTime',
  missingBody: 'missing s3',
  badBucket: 'missing or invalid s3.bucket.name',
  object: 's3.object',
  etag: 'eTag',
  versionId: 'versionId',
  missingObject: 'missing s3.object.key',
  urlEncodedKeys: true,
};

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

/** `r` (one record of a classic notification) as an event, or the reason it is rejected; `p` holds the parse's scratch state. */
export function parseNotificationRecord(p: EventParser, r: Record<string, unknown>): ParseResult {
  const name = r.eventName;
  if (typeof name !== 'string') return 'missing eventName';
  const kind = kindOf(name);
  const f = p.readEvent(r.eventTime, r.s3, kind, name, NAMES);
  if (typeof f === 'string') return f;

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
    if (x === null) return 'invalid lifecycleRestorationExpiryTime';
    restoreExpiry = x;
  }
  const response = r.responseElements;
  const requestId = isRecord(response) ? response['x-amz-request-id'] : undefined;
  return objectEvent(
    's3-notification',
    effective,
    name,
    f,
    undefined,
    storageClass,
    accessTier,
    restoreExpiry,
    typeof requestId === 'string' ? requestId : undefined,
  );
}

function path(v: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | undefined {
  let cur: unknown = v;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return isRecord(cur) ? cur : undefined;
}
