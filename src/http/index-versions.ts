/**
 * Change tracking for the response cache, from the index's own reports of what changed (ObjectIndex.onChange).
 *
 * Versions, per bucket: a cached page of bucket B is current while nothing of B changed, so events for other buckets
 * and the cache commands of `/redis` (which are not index data) never touch it. What can change every bucket's
 * answers (a flush or swap of the index's database, the bucket registry) counts for every bucket. Versions come from
 * one sequence, so a bucket's version (the later of its own last change and the last change of everything) moves
 * whenever either does, and a page that reads no single bucket (the bucket lists) takes the sequence itself: any
 * change of the index.
 *
 * Key ranges, within a bucket: the index reports which object key each of its writes concerns, and the last
 * LOG_SIZE such changes of a few buckets are kept. A page that states the range of object keys its answer depends on
 * (a listing page: from its start to the key that made it truncated, or to the end of its prefix) stays valid
 * through changes of other keys: an index fed by events for logs/ keeps its cached pages of users/. A change without
 * a key (S3IDX.DROP, a compaction of tombstones), or one that fell out of the log, makes every page of the bucket
 * stale.
 */
import { latin1Slice } from '../engine/buffer-slices';
import type { PageBounds } from '../index/list';
import type { IndexChange, ObjectIndex } from '../service/object-index';

/** distinct buckets with versions; beyond it the map is dropped and everything counts as changed */
const MAX_BUCKETS = 10_000;
/** changes kept per bucket, and buckets with a log (the least recently created log goes first) */
const LOG_SIZE = 1024;
const MAX_LOGS = 32;

/**
 * Object keys a response depends on: the keys under `prefix`, after `after` (exclusive) and up to `through`
 * (inclusive) when given. Keys are latin1 strings of their UTF-8 bytes, so string order is byte order.
 */
export interface KeyRange {
  readonly prefix: string;
  readonly after?: string;
  readonly through?: string;
}

/** A key as a KeyRange holds it. */
export function rangeKey(utf8: Uint8Array): string {
  const b = Buffer.isBuffer(utf8) ? utf8 : Buffer.from(utf8.buffer, utf8.byteOffset, utf8.length);
  return latin1Slice(b, 0, b.length);
}
/** The same for text. */
export const rangeText = (text: string): string => rangeKey(Buffer.from(text, 'utf8'));

/** The KeyRange of a listing page under `prefix` (see PageBounds). */
export function pageRange(prefix: string, bounds: PageBounds): KeyRange {
  return {
    prefix: rangeText(prefix),
    after: bounds.after === undefined ? undefined : rangeKey(bounds.after),
    through: bounds.beyond === undefined ? undefined : rangeKey(bounds.beyond),
  };
}

function inRange(r: KeyRange, key: string): boolean {
  return (
    key.startsWith(r.prefix) &&
    (r.after === undefined || key > r.after) &&
    (r.through === undefined || key <= r.through)
  );
}

/** The last LOG_SIZE changes of one bucket: their versions and keys (null: unknown, anything may have changed). */
class ChangeLog {
  private readonly seqs = new Float64Array(LOG_SIZE);
  private readonly keys: Array<string | null> = new Array(LOG_SIZE).fill(null);
  private n = 0;
  /** @param horizon the bucket's version before its first logged change: changes up to it are not in the log */
  constructor(private horizon: number) {}

  add(seq: number, key: string | null): void {
    const i = this.n % LOG_SIZE;
    if (this.n >= LOG_SIZE) this.horizon = this.seqs[i]!;
    this.seqs[i] = seq;
    this.keys[i] = key;
    this.n++;
  }

  /** Whether every change after version `since` is logged and none concerns a key of `range`. */
  untouched(since: number, range: KeyRange): boolean {
    if (since < this.horizon) return false;
    for (let k = this.n - 1; k >= 0 && k >= this.n - LOG_SIZE; k--) {
      const i = k % LOG_SIZE;
      if (this.seqs[i]! <= since) break;
      const key = this.keys[i]!;
      if (key === null || inRange(range, key)) return false;
    }
    return true;
  }
}

export class IndexVersions {
  private seq = 1;
  /** the last change that concerns every bucket */
  private all = 1;
  private readonly buckets = new Map<string, number>();
  private readonly logs = new Map<string, ChangeLog>();

  constructor(index: Pick<ObjectIndex, 'onChange'>) {
    index.onChange((change) => this.changed(change));
  }

  /** Version of what a page of `bucket` reads; of the whole index when bucket is undefined. */
  of(bucket: string | undefined): number {
    if (bucket === undefined) return this.seq;
    const own = this.buckets.get(bucket);
    return own === undefined || own < this.all ? this.all : own;
  }

  /**
   * The version now of `bucket`, when an answer about its `range` computed at version `since` is still right: nothing
   * changed since, or only keys of the bucket outside the range (as far as the log tells); else undefined.
   */
  currentFor(bucket: string | undefined, since: number, range: KeyRange | undefined): number | undefined {
    const now = this.of(bucket);
    if (now === since) return now;
    if (bucket === undefined || range === undefined || this.all > since) return undefined;
    return this.logs.get(bucket)?.untouched(since, range) ? now : undefined;
  }

  private changed({ bucket, key }: IndexChange): void {
    if (bucket === undefined) {
      this.everything();
      return;
    }
    if (this.buckets.size >= MAX_BUCKETS && !this.buckets.has(bucket)) {
      this.buckets.clear();
      this.logs.clear();
      this.everything();
      return;
    }
    let log = this.logs.get(bucket);
    if (log === undefined) {
      if (this.logs.size >= MAX_LOGS) this.logs.delete(this.logs.keys().next().value!);
      log = new ChangeLog(this.of(bucket));
      this.logs.set(bucket, log);
    }
    const seq = ++this.seq;
    this.buckets.set(bucket, seq);
    log.add(seq, key === undefined ? null : rangeKey(key));
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
