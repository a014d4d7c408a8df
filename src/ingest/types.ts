/**
 * Normalised S3 object events: what every accepted input shape (EventBridge, EventBridge via SQS, classic S3
 * notifications directly or through SNS/SQS) is turned into before it touches the index.
 */

export type ObjectEventKind =
  /** Object Created / ObjectCreated:* */
  | 'created'
  /** Object Deleted + Permanently Deleted / ObjectRemoved:Delete, LifecycleExpiration:Delete */
  | 'deleted'
  /** Object Deleted + Delete Marker Created / *:DeleteMarkerCreated */
  | 'delete-marker-created'
  | 'storage-class-changed'
  | 'access-tier-changed'
  | 'restore-initiated'
  | 'restore-completed'
  | 'restore-expired'
  /** tags added/deleted, ACL updated, replication…: nothing the index stores */
  | 'no-index-effect';

export type EventSource = 'eventbridge' | 's3-notification';

export interface ObjectEvent {
  readonly source: EventSource;
  readonly kind: ObjectEventKind;
  /** the detail-type or eventName as received, for diagnostics */
  readonly type: string;
  readonly bucket: string;
  /** the object key, decoded (classic notifications are form-URL-decoded) */
  readonly key: string;
  /** the event time in ms since the epoch (EventBridge: second precision; classic: ms) */
  readonly time: number;
  /** normalised (upper-case) sequencer; absent on metadata-only events */
  readonly sequencer?: string;
  readonly size?: number;
  /** without quotes */
  readonly etag?: string;
  /** the version id as sent ('null' stays 'null'); absent for unversioned buckets */
  readonly versionId?: string;
  readonly reason?: string;
  /** storage-class-changed: the new class */
  readonly storageClass?: string;
  /** access-tier-changed: the new tier */
  readonly accessTier?: string;
  /** restore-completed: when the restored copy expires (ms) */
  readonly restoreExpiry?: number;
  /** EventBridge `id` or the classic record's request id, for diagnostics */
  readonly id?: string;
}

/** One element of an input batch after parsing: an event, a skipped message (test event) or a rejection. */
export type ParsedItem =
  | { readonly index: number; readonly messageId?: string; readonly event: ObjectEvent }
  | { readonly index: number; readonly messageId?: string; readonly skipped: string }
  | { readonly index: number; readonly messageId?: string; readonly rejected: string };

export interface Rejection {
  /** position of the event in the flattened batch (SQS records × S3 records, in order) */
  readonly index: number;
  readonly reason: string;
  /** the SQS messageId that carried it, when there was one */
  readonly messageId?: string;
}

/** Per-batch outcome counts: every parsed item lands in exactly one bucket. */
export interface IngestOutcome {
  /** changed the index state */
  applied: number;
  /** older than what the index already knows (late event) */
  stale: number;
  /** already applied (same sequencer / same metadata) */
  duplicate: number;
  /** valid but without effect: test events, tags/ACL events, metadata events for unknown objects */
  ignored: number;
  rejected: Rejection[];
}

export const emptyOutcome = (): IngestOutcome => ({ applied: 0, stale: 0, duplicate: 0, ignored: 0, rejected: [] });
