/**
 * S3Index: the ObjectIndex of the bundled engine, bound to one engine database and reading the engine's clock once
 * per call; every answer is immediate. RESP commands (S3IDX.*) call the same src/index/ functions with their
 * command's context. Beyond ObjectIndex it offers what in-process callers (tests, benchmarks, maintenance) use: the
 * database scope, whole listings, verification and tombstone compaction.
 *
 * Changes: the engine reports every write of a key (with the object key, a member of the index's keys, when the
 * write concerns one), every flush and every swap of databases; S3Index turns those of its database's `s3idx:` keys
 * into IndexChanges (bucketOfKeyName, src/index/store.ts). It listens to the engine from its first onChange on.
 */
import type { Engine } from '../engine/engine';
import {
  bucketExists,
  JSON_MAX_KEYS,
  type ListLimits,
  type ListOptions,
  type ListPage,
  listAll,
  listObjectsV2,
  listRawPage,
  type PageBounds,
  type RawListOptions,
  type RawPage,
  type Result,
  type RowMaker,
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
  bucketOfKeyName,
  compactTombstones,
  DEFAULT_LIMITS,
  type IndexLimits,
  type IndexScope,
  resolveVerification,
} from '../index/store';
import { type IngestOptions, ingest } from '../ingest/apply';
import type { IngestOutcome } from '../ingest/types';
import { EVERYTHING, type IndexChange, type ObjectIndex } from './object-index';

export class S3Index implements ObjectIndex {
  private readonly listeners: Array<(change: IndexChange) => void> = [];
  private watching = false;
  /** the last engine key name reported and its bucket (an ingest reports the same name string over and over) */
  private lastName: string | undefined;
  private lastBucket: string | null = null;

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

  listRaw<T>(bucket: string, opts: RawListOptions, makeRow: RowMaker<T>, bounds?: PageBounds): Result<RawPage<T>> {
    return listRawPage(this.scope(), bucket, opts, makeRow, bounds);
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

  bucketExists(bucket: string): boolean {
    return bucketExists(this.scope(), bucket);
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

  onChange(listener: (change: IndexChange) => void): () => void {
    if (!this.watching) this.watchEngine();
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private watchEngine(): void {
    this.watching = true;
    const db = this.dbIndex;
    this.engine.onModified((d, name, member) => {
      if (d === db && this.listeners.length > 0) this.keyModified(name, member);
    });
    this.engine.onFlush((d) => {
      if (d === db) this.report(EVERYTHING);
    });
    this.engine.onSwap((a, b) => {
      if (a === db || b === db) this.report(EVERYTHING);
    });
  }

  private keyModified(name: string, member: Uint8Array | undefined): void {
    if (name !== this.lastName) {
      const bucket = bucketOfKeyName(name);
      if (bucket === undefined) return; // not index data
      this.lastName = name;
      this.lastBucket = bucket;
    }
    const bucket = this.lastBucket;
    this.report(bucket === null ? EVERYTHING : { bucket, key: member });
  }

  private report(change: IndexChange): void {
    for (const fn of this.listeners) fn(change);
  }
}
