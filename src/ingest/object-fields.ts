/**
 * The validation both event formats share: the object fields (key, sequencer, size, etag, version id) of an S3
 * event, checked in one order with one set of rules, the field names and key decoding being what differs
 * (EventBridge: `detail.object.{key, size, etag, version-id, sequencer}`, raw keys; classic notifications:
 * `s3.object.{key, size, eTag, versionId, sequencer}`, form-URL-encoded keys).
 */

import { normaliseSequencer } from '../index/sequencer';
import { decodeNotificationKey, keyProblem, validEtag, validSize, validVersionId } from './fields';
import type { ObjectEventKind } from './types';

export interface ObjectFieldNames {
  /** e.g. 'detail.object' */
  readonly object: string;
  readonly etag: string;
  readonly versionId: string;
  /** rejection reason when the object is missing or not an object */
  readonly missingObject: string;
  /** classic notifications: form-URL-decode the key */
  readonly urlEncodedKeys: boolean;
}

/**
 * The validated object fields of the event being parsed. One instance, overwritten by each readObjectFields call
 * (parsing is synchronous; callers copy the fields into their event before the next call).
 */
export interface ObjectFields {
  key: string;
  sequencer: string | undefined;
  size: number | undefined;
  etag: string | undefined;
  versionId: string | undefined;
}

const fields: ObjectFields = { key: '', sequencer: undefined, size: undefined, etag: undefined, versionId: undefined };

/**
 * Events that must carry a sequencer: their effect is ordered by it. S3 sends one on every such event (EventBridge and
 * classic notifications alike); one without it can only come from another source (an emulator, a hand-made event),
 * and accepting it would make its order against the key's other events arbitrary (two such creates of one key could
 * not be told apart from a duplicate), so it is rejected with a reason saying why.
 */
const needsSequencer = (kind: ObjectEventKind): boolean =>
  kind === 'created' || kind === 'deleted' || kind === 'delete-marker-created';

/**
 * Validates `object` (the `object` member of the event) for an event of `kind` (named `type` in messages).
 * Returns the shared ObjectFields instance, or the rejection reason.
 */
export function readObjectFields(
  object: unknown,
  kind: ObjectEventKind,
  type: string,
  names: ObjectFieldNames,
): ObjectFields | string {
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
    // S3 always sends one on these; without it the event cannot be ordered against the key's other events
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

  fields.key = key;
  fields.sequencer = sequencer;
  fields.size = size;
  fields.etag = etag;
  fields.versionId = versionId;
  return fields;
}
