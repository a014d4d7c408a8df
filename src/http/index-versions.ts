/**
 * Change counters for the response cache, per bucket: a cached page of bucket B stays valid while nothing under
 * `s3idx:{B}` changed, so events for other buckets and the cache commands of `/redis` (keys outside `s3idx:`) leave
 * it cached. What can change every bucket's answers (FLUSHDB/FLUSHALL and SWAPDB of the index's database, the bucket
 * registry `s3idx:buckets`, any other `s3idx:` key) counts for every bucket.
 *
 * Versions come from one sequence, so a bucket's version (the later of its own last change and the last change of
 * everything) moves whenever either does, and a page that reads no single bucket (the bucket list) takes the
 * sequence itself: any change of the index.
 */
import type { Engine } from '../engine/engine';

const INDEX_PREFIX = 's3idx:';
const BUCKET_OPEN = 's3idx:{';
/** distinct buckets remembered; beyond it the map is dropped and everything counts as changed */
const MAX_BUCKETS = 10_000;

export class IndexVersions {
  private seq = 1;
  /** the last change that concerns every bucket */
  private all = 1;
  private readonly buckets = new Map<string, number>();
  /** the last index key reported and its bucket (an ingest reports the same key string object over and over) */
  private lastKey = '';
  private lastBucket: string | undefined;

  constructor(engine: Engine, dbIndex: number) {
    engine.onModified((db, key) => {
      if (db === dbIndex) this.keyChanged(key);
    });
    engine.onFlush((db) => {
      if (db === dbIndex) this.everything();
    });
    engine.onSwap((a, b) => {
      if (a === dbIndex || b === dbIndex) this.everything();
    });
  }

  /** Version of what a page of `bucket` reads; of the whole index when bucket is undefined. */
  of(bucket: string | undefined): number {
    if (bucket === undefined) return this.seq;
    const own = this.buckets.get(bucket);
    return own === undefined || own < this.all ? this.all : own;
  }

  private keyChanged(key: string): void {
    if (key !== this.lastKey) {
      if (!key.startsWith(INDEX_PREFIX)) return; // not index data: no listing reads it
      this.lastKey = key;
      const close = key.startsWith(BUCKET_OPEN) ? key.indexOf('}', BUCKET_OPEN.length) : -1;
      this.lastBucket = close < 0 ? undefined : key.slice(BUCKET_OPEN.length, close);
    }
    const bucket = this.lastBucket;
    if (bucket === undefined) {
      this.everything();
      return;
    }
    if (this.buckets.size >= MAX_BUCKETS && !this.buckets.has(bucket)) {
      this.buckets.clear();
      this.everything();
      return;
    }
    this.buckets.set(bucket, ++this.seq);
  }

  private everything(): void {
    this.all = ++this.seq;
  }
}

/**
 * The bucket a cached request target reads (`/v1/buckets/B/…`, `/s3/B…`), or undefined when it reads none in
 * particular (the bucket lists) or names it in a form other than the plain bucket name (percent-encoded: those
 * pages take the version of the whole index, which is never too old).
 */
export function bucketOfTarget(target: string): string | undefined {
  let start: number;
  if (target.startsWith('/v1/buckets/')) start = '/v1/buckets/'.length;
  else if (target.startsWith('/s3/')) start = '/s3/'.length;
  else return undefined;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x20) break; // '/', '?', and the space before the Accept part of the key
    if (c === 0x25) return undefined; // '%'
    end++;
  }
  return end > start ? target.slice(start, end) : undefined;
}
