/**
 * EventBridge events from S3 (source `aws.s3`, every detail-type S3 emits) → ObjectEvent.
 * Unknown fields are ignored; etag, version-id and sequencer are optional (they are absent on several types).
 * Keys are raw (not URL-encoded) in EventBridge events.
 */
import { type EventFieldNames, type EventParser, objectEvent, type ParseResult } from './event-parser';
import { isRecord, optional, validTime, validToken } from './fields';
import type { ObjectEventKind } from './types';

const NAMES: EventFieldNames = {
  badTime: 'missing or invalid time',
  missingBody: 'missing detail',
  badBucket: 'missing or invalid detail.bucket.name',
  object: 'detail.object',
  etag: 'etag',
  versionId: 'version-id',
  missingObject: 'missing detail.object',
  urlEncodedKeys: false,
};

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

/** `e` (an EventBridge envelope) as an event, or the reason it is rejected; `p` holds the parse's scratch state. */
export function parseEventBridge(p: EventParser, e: Record<string, unknown>): ParseResult {
  if (e.source !== 'aws.s3') return `not an S3 event (source ${JSON.stringify(e.source)})`;
  const type = e['detail-type'];
  if (typeof type !== 'string') return 'missing detail-type';
  let kind = KINDS[type];
  if (kind === undefined) kind = 'no-index-effect';
  const body = e.detail;
  if (kind === 'deleted' && isDeleteMarker(body)) kind = 'delete-marker-created';
  const f = p.readEvent(e.time, body, kind, type, NAMES);
  if (typeof f === 'string') return f;
  const detail = body as Record<string, unknown>; // readEvent accepted it as a record

  let storageClass: string | undefined;
  let accessTier: string | undefined;
  let restoreExpiry: number | undefined;
  if (kind === 'storage-class-changed') {
    storageClass = validToken(detail['destination-storage-class']);
    if (storageClass === undefined) return 'missing or invalid detail.destination-storage-class';
  } else if (kind === 'access-tier-changed') {
    accessTier = validToken(detail['destination-access-tier']);
    if (accessTier === undefined) return 'missing or invalid detail.destination-access-tier';
  } else if (kind === 'restore-completed') {
    const x = optional(detail['restore-expiry-time'], validTime);
    if (x === null) return 'invalid detail.restore-expiry-time';
    restoreExpiry = x;
  }
  const reason = detail.reason;
  const id = e.id;
  return objectEvent(
    'eventbridge',
    kind,
    type,
    f,
    typeof reason === 'string' ? reason : undefined,
    storageClass,
    accessTier,
    restoreExpiry,
    typeof id === 'string' ? id : undefined,
  );
}

/** An Object Deleted event whose deletion created a delete marker. */
const isDeleteMarker = (detail: unknown): boolean =>
  isRecord(detail) && detail['deletion-type'] === 'Delete Marker Created';
