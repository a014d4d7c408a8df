/**
 * ObjectIndex: everything the front ends (the HTTP routes, the Lambda handlers, the CLI) ask of the S3 object index,
 * and all they know of it. They never see where or how it is stored: no engine, database or key names.
 *
 * It sits in the service layer, above src/index/ and src/ingest/, because `ingest` takes S3 events as delivered
 * (EventBridge, SQS, SNS, classic notifications) and answers per-event outcomes: parsing them is src/ingest/'s job,
 * which the index itself does not know about.
 *
 * Answers may come at once or later (Answer<T>): the bundled engine (S3Index, src/service/s3-index.ts) answers at
 * once, a store across a network later; callers await every answer (one await per call, never per row).
 *
 * A Redis/Valkey-backed implementation would keep the layout of src/index/store.ts in the server (the keys zset of
 * each bucket, its history, tombstones and registry) with one change: a Redis zset holds no payload per member, so
 * each object's encoded version (src/index/payload.ts) goes to a hash beside it, `s3idx:{B}:meta`, key → payload.
 *   - ingest: parse with src/ingest/ exactly as S3Index does (parseInto, toIndexOp), then apply each event's one
 *     operation atomically on the server (a Lua function running key-state.ts's rules, or WATCH/MULTI/EXEC on the
 *     key's fields), pipelining the events of a batch; PUBLISH each change (below).
 *   - listRaw: ZRANGE s3idx:{B}:keys (after + BYLEX LIMIT 0 maxKeys+1, and HMGET of their payloads, in one round
 *     trip (or one Lua call for the page); with a delimiter, a rolled-up prefix is left by a new ZRANGE from its
 *     successor. It writes each key and payload into one buffer and feeds the same RowMaker with their offsets, so
 *     the renderers (JSON, NDJSON, S3 XML) work unchanged, and fills `bounds` as S3Index does.
 *   - listObjectsV2: listRaw with a RowMaker making ListedObjects (src/index/list.ts does it over any OrderedKeys).
 *   - head / version: HGET of the payload, or of the key's history record for an older version.
 *   - stats: ZLEXCOUNT for the object count; Redis has no sums over a lex range, so the byte total needs counters the
 *     ingest keeps per prefix (a hash of prefix → bytes for each delimiter level), or an O(n) scan.
 *   - listBuckets / bucketExists: SMEMBERS / SISMEMBER s3idx:buckets.
 *   - onChange: writers PUBLISH each change (bucket and key) on the bucket's channel (SPUBLISH in a cluster); the
 *     implementation subscribes and reports them, and reports `everything` after a reconnection (messages sent
 *     meanwhile are lost). Changes made by other processes arrive after their write, not with it: a response cache
 *     relying on onChange (src/http/index-versions.ts) may then serve a page for that long.
 */

import type {
  ListLimits,
  ListOptions,
  ListPage,
  PageBounds,
  RawListOptions,
  RawPage,
  Result,
  RowMaker,
} from '../index/list';
import type { HeadResult, PrefixStats } from '../index/lookup';
import type { IngestOutcome } from '../ingest/types';

/** A value, or its promise: the bundled engine answers at once, a store across a network later. */
export type Answer<T> = T | Promise<T>;

/**
 * What changed in the index: one object key of a bucket (`key`: its UTF-8 bytes, valid during the call only),
 * anything of a bucket (`key` undefined: a change the index cannot attribute to one key, e.g. S3IDX.DROP), or
 * anything at all (`bucket` undefined: a flush of the database, the bucket registry).
 */
export interface IndexChange {
  readonly bucket: string | undefined;
  readonly key: Uint8Array | undefined;
}

/** The change that concerns everything. */
export const EVERYTHING: IndexChange = Object.freeze({ bucket: undefined, key: undefined });

/** One page of a listing as rows made straight from the stored bytes, for renderers (see RowMaker). */
export interface RawLister {
  /**
   * One page of `bucket` with ListObjectsV2 semantics, each listed object made into a row by `makeRow` (the page's
   * `keys`); `bounds` is filled with the object keys the page depends on (for response caches). Errors as
   * listObjectsV2's (max-keys is checked, not capped).
   */
  listRaw<T>(
    bucket: string,
    opts: RawListOptions,
    makeRow: RowMaker<T>,
    bounds?: PageBounds,
  ): Answer<Result<RawPage<T>>>;
}

/** A RawLister that answers at once (S3Index): renderers can then answer at once too. */
export interface ImmediateRawLister extends RawLister {
  listRaw<T>(bucket: string, opts: RawListOptions, makeRow: RowMaker<T>, bounds?: PageBounds): Result<RawPage<T>>;
}

export interface ObjectIndex extends RawLister {
  /** Applies S3 events (any shape src/ingest/parse.ts accepts, object or JSON text), in order. Never rejects. */
  ingest(input: unknown): Answer<IngestOutcome>;
  /** One ListObjectsV2 page as data; max-keys capped at limits.maxKeysCap (default 1000). */
  listObjectsV2(bucket: string, opts?: ListOptions, limits?: ListLimits, bounds?: PageBounds): Answer<Result<ListPage>>;
  /** The listed (current, not deleted) version of a key, or undefined. */
  head(bucket: string, key: string): Answer<Result<HeadResult | undefined>>;
  /** A kept version of a key by id ("null": the unversioned one), or its current one, delete markers included. */
  version(bucket: string, key: string, versionId?: string): Answer<Result<HeadResult | undefined>>;
  /** Object count and bytes under a prefix. */
  stats(bucket: string, prefix?: string): Answer<Result<PrefixStats>>;
  /** Every indexed bucket, in byte order. */
  listBuckets(): Answer<string[]>;
  bucketExists(bucket: string): Answer<boolean>;
  /**
   * Calls `listener` after each change of the index (see IndexChange), synchronously with the write when the index
   * is in this process. Returns the function that stops it.
   */
  onChange(listener: (change: IndexChange) => void): () => void;
}

/**
 * The index cannot take writes now (its store refused the commit: another writer took over, or the store is
 * unreachable); what was asked was not acknowledged. The HTTP layer answers 503 with this message.
 */
export class IndexUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IndexUnavailable';
  }
}
