/**
 * The library API of the S3 index for the front ends (HTTP, Lambda, CLI): one object bound to an engine and a
 * database, reading the engine's clock once per call. RESP commands call the same functions with their context.
 * It lives in the service layer because `ingest` parses S3 events (src/ingest/) before the index applies them.
 */
import type { Engine } from '../engine/engine';
import {
  JSON_MAX_KEYS,
  type ListLimits,
  type ListOptions,
  type ListPage,
  listAll,
  listObjectsV2,
  type PageBounds,
  type Result,
} from '../index/list';
import {
  type HeadResult,
  head,
  listBuckets,
  type PrefixStats,
  pendingVerification,
  stats,
  version,
} from '../index/lookup';
import type { ObjectVersion } from '../index/payload';
import {
  compactTombstones,
  DEFAULT_LIMITS,
  type IndexLimits,
  type IndexScope,
  resolveVerification,
} from '../index/store';
import { type IngestOptions, ingest } from '../ingest/apply';
import type { IngestOutcome } from '../ingest/types';

export class S3Index {
  constructor(
    readonly engine: Engine,
    readonly dbIndex = 0,
    readonly limits: IndexLimits = DEFAULT_LIMITS,
  ) {}

  scope(): IndexScope {
    return { db: this.engine.dbs[this.dbIndex]!, now: this.engine.clock.now() };
  }

  ingest(input: unknown, opts: IngestOptions = {}): IngestOutcome {
    return ingest(this.scope(), input, { limits: this.limits, ...opts });
  }

  listObjectsV2(
    bucket: string,
    opts: ListOptions = {},
    limits: ListLimits = {},
    bounds?: PageBounds,
  ): Result<ListPage> {
    return listObjectsV2(this.scope(), bucket, opts, limits, bounds);
  }

  /** Streams a full listing page by page (pageSize up to 10,000). */
  listAll(bucket: string, opts: Omit<ListOptions, 'maxKeys' | 'continuationToken'> = {}, pageSize = JSON_MAX_KEYS) {
    return listAll(() => this.scope(), bucket, opts, pageSize);
  }

  head(bucket: string, key: string): Result<HeadResult | undefined> {
    return head(this.scope(), bucket, key);
  }

  /** A kept version of key by id ("null": the unversioned one), or its current version, delete markers included. */
  version(bucket: string, key: string, versionId?: string): Result<HeadResult | undefined> {
    return version(this.scope(), bucket, key, versionId);
  }

  stats(bucket: string, prefix = ''): Result<PrefixStats> {
    return stats(this.scope(), bucket, prefix);
  }

  listBuckets(): string[] {
    return listBuckets(this.scope());
  }

  pendingVerification(bucket: string): string[] {
    return pendingVerification(this.scope(), bucket);
  }

  /** Records what HeadObject said about a key awaiting verification (undefined = 404). */
  resolveVerification(bucket: string, key: string, version: ObjectVersion | undefined): void {
    resolveVerification(this.scope(), bucket, key, version);
  }

  compactTombstones(bucket: string): void {
    compactTombstones(this.scope(), bucket, this.limits);
  }
}
