/**
 * What the two event formats share: the checks that open every S3 event (its time, the member holding bucket and
 * object, the bucket name, the object fields: key, sequencer, size, etag, version id), in one order with one set of
 * rules, and the ObjectEvent made at the end. What differs is given by EventFieldNames: field names, rejection
 * reasons and key decoding (EventBridge: `detail.object.{key, size, etag, version-id, sequencer}`, raw keys; classic
 * notifications: `s3.object.{key, size, eTag, versionId, sequencer}`, form-URL-encoded keys). The kind-specific
 * fields are read by each format's parser (eventbridge.ts, notification.ts).
 *
 * An EventParser holds the scratch state of one parse (parse.ts makes one per input batch), so that two parses, nested
 * or interleaved, never see each other's values.
 */

import { normaliseSequencer } from '../index/sequencer';
import {
  decodeNotificationKey,
  isRecord,
  keyProblem,
  validBucket,
  validEtag,
  validSize,
  validTime,
  validVersionId,
} from './fields';
import type { EventSource, ObjectEvent, ObjectEventKind } from './types';

/** An event, or the reason it was rejected. */
export type ParseResult = ObjectEvent | string;

export interface EventFieldNames {
  /** rejection reason for a missing or invalid event time */
  readonly badTime: string;
  /** rejection reason when the member holding bucket and object (`detail`, `s3`) is missing or not an object */
  readonly missingBody: string;
  /** rejection reason for a missing or invalid bucket name */
  readonly badBucket: string;
  /** the object's path in messages, e.g. 'detail.object' */
  readonly object: string;
  readonly etag: string;
  readonly versionId: string;
  /** rejection reason when the object is missing or not an object */
  readonly missingObject: string;
  /** classic notifications: form-URL-decode the key */
  readonly urlEncodedKeys: boolean;
}

/** The validated fields every event has. */
export interface EventFields {
  bucket: string;
  time: number;
  key: string;
  sequencer: string | undefined;
  size: number | undefined;
  etag: string | undefined;
  versionId: string | undefined;
}

/** The scratch state of one parse: the last bucket name and the fields of the event being parsed. */
export class EventParser {
  /**
   * The last bucket name that passed (a batch names the same bucket over and over). It is returned for an equal name:
   * each event's copy of the name is a string of its own, whose hash every Map or Set lookup downstream would compute
   * again.
   */
  private lastBucket: string | undefined = undefined;
  /** Overwritten by each readEvent: the caller copies the fields into its event before the next call. */
  private readonly fields: EventFields = {
    bucket: '',
    time: 0,
    key: '',
    sequencer: undefined,
    size: undefined,
    etag: undefined,
    versionId: undefined,
  };

  /** validBucket, answering the last valid name again for an equal one. */
  bucket(v: unknown): string | undefined {
    if (v === this.lastBucket) return this.lastBucket;
    const name = validBucket(v);
    if (name !== undefined) this.lastBucket = name;
    return name;
  }

  /**
   * Validates the fields every event of `kind` (named `type` in messages) has: `time`, and in `body` the bucket name
   * and the object. Returns this parser's EventFields, valid until the next call, or the rejection reason.
   */
  readEvent(
    time: unknown,
    body: unknown,
    kind: ObjectEventKind,
    type: string,
    names: EventFieldNames,
  ): EventFields | string {
    const t = validTime(time);
    if (t === undefined) return names.badTime;
    if (!isRecord(body)) return names.missingBody;
    const bucket = this.bucket(isRecord(body.bucket) ? body.bucket.name : undefined);
    if (bucket === undefined) return names.badBucket;
    const f = this.fields;
    const problem = readObjectFields(body.object, kind, type, names, f);
    if (problem !== undefined) return problem;
    f.bucket = bucket;
    f.time = t;
    return f;
  }
}

/** The ObjectEvent of fields read by readEvent and the kind-specific ones (one shape for both formats). */
export function objectEvent(
  source: EventSource,
  kind: ObjectEventKind,
  type: string,
  f: EventFields,
  reason: string | undefined,
  storageClass: string | undefined,
  accessTier: string | undefined,
  restoreExpiry: number | undefined,
  id: string | undefined,
): ObjectEvent {
  return {
    source,
    kind,
    type,
    bucket: f.bucket,
    key: f.key,
    time: f.time,
    sequencer: f.sequencer,
    size: f.size,
    etag: f.etag,
    versionId: f.versionId,
    reason,
    storageClass,
    accessTier,
    restoreExpiry,
    id,
  };
}

/**
 * Events that must carry a sequencer: their effect is ordered by it. S3 sends one on every such event (EventBridge and
 * classic notifications alike); one without it can only come from another source (an emulator, a hand-made event),
 * and accepting it would make its order against the key's other events arbitrary (two such creates of one key could
 * not be told apart from a duplicate), so it is rejected with a reason saying why.
 */
const needsSequencer = (kind: ObjectEventKind): boolean =>
  kind === 'created' || kind === 'deleted' || kind === 'delete-marker-created';

/** Validates `object` (the `object` member of the event) into `into`; the rejection reason, or undefined. */
function readObjectFields(
  object: unknown,
  kind: ObjectEventKind,
  type: string,
  names: EventFieldNames,
  into: EventFields,
): string | undefined {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return names.missingObject;
  const o = object as Record<string, unknown>;
  const raw = o.key;
  if (typeof raw !== 'string') return `missing ${names.object}.key`;
  let key: string | undefined = raw;
  if (names.urlEncodedKeys) {
    key = decodeNotificationKey(raw);
    if (key === undefined) return `malformed URL encoding in ${names.object}.key`;
  }
  const problem = keyProblem(key);
  if (problem !== undefined) return problem;

  let sequencer: string | undefined;
  const rawSeq = o.sequencer;
  if (rawSeq !== undefined && rawSeq !== null) {
    sequencer = normaliseSequencer(rawSeq);
    if (sequencer === undefined) return `invalid ${names.object}.sequencer`;
  } else if (needsSequencer(kind))
    return `missing ${names.object}.sequencer on ${type} (needed to order the events of a key)`;

  let size: number | undefined;
  const rawSize = o.size;
  if (rawSize !== undefined && rawSize !== null) {
    size = validSize(rawSize);
    if (size === undefined) return `invalid ${names.object}.size`;
  } else if (kind === 'created') return `missing ${names.object}.size on ${type}`;

  let etag: string | undefined;
  const rawEtag = o[names.etag];
  if (rawEtag !== undefined && rawEtag !== null) {
    etag = validEtag(rawEtag);
    if (etag === undefined) return `invalid ${names.object}.${names.etag}`;
  }

  let versionId: string | undefined;
  const rawVid = o[names.versionId];
  if (rawVid !== undefined && rawVid !== null) {
    versionId = validVersionId(rawVid);
    if (versionId === undefined) return `invalid ${names.object}.${names.versionId}`;
  }

  into.key = key;
  into.sequencer = sequencer;
  into.size = size;
  into.etag = etag;
  into.versionId = versionId;
  return undefined;
}
