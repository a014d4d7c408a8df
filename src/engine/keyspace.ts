/**
 * One logical database: key → value, plus key → absolute expiry time in ms (like Redis's `expires` dict).
 *
 * Expiry is lazy on access (every lookup checks the deadline) plus a bounded active sweep (`activeExpire`)
 * that a front end calls periodically. Time is passed in by the caller (read once per command).
 *
 * Every change to a key must be reported through `modified(key)` (the mutating methods here do it): WATCH,
 * persistence and keyspace statistics hang off that one hook.
 */
import { latin1Slice } from './buffer-slices';
import type { Value } from './values';

/** Slots of the key-string cache (a power of two) and the longest key it holds. */
const KEY_CACHE_SLOTS = 1024;
const KEY_CACHE_MAX_LEN = 48;
const keyCache: Array<string | undefined> = new Array(KEY_CACHE_SLOTS).fill(undefined);
/** per slot, the hash of the last key that missed */
const keyHashes = new Int32Array(KEY_CACHE_SLOTS);

const latin1 = (b: Buffer): string => latin1Slice(b, 0, b.length);

/**
 * Key bytes → keyspace string (latin1: one char per byte), the same as values.ts's keyOf. Short keys go through a
 * small direct-mapped cache of recently used key strings: a hit returns the same string object, which spares the
 * native decode and the allocation, and whose hash V8 has already computed for the Map lookups that follow. A
 * miss costs a hash of the bytes. Bounded: KEY_CACHE_SLOTS strings of ≤ KEY_CACHE_MAX_LEN.
 */
export function keyOf(b: Buffer): string {
  const len = b.length;
  if (len > KEY_CACHE_MAX_LEN) return latin1(b);
  let h = len;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (KEY_CACHE_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === b[i]) i++;
    if (i === len) return cached;
  }
  const s = latin1(b);
  // Only a key seen twice in a row (for its slot) is cached: a stream of one-off keys then neither evicts the hot
  // ones nor keeps young strings alive from an old-generation array (which would cost the GC more than it saves).
  if (keyHashes[slot] === h) keyCache[slot] = s;
  else keyHashes[slot] = h;
  return s;
}

export interface KeyspaceListener {
  /**
   * A key's value or expiry changed, or the key was deleted/expired. `member`: the one member (or field) of the
   * collection at key that changed, when the writer says so (the S3 index does); undefined means anything may have.
   */
  keyModified(db: number, key: string, member?: Uint8Array): void;
  /** The whole database is about to be emptied (its keys are still there during the call). */
  flushed(db: number): void;
}

export class Keyspace {
  readonly data = new Map<string, Value>();
  readonly expires = new Map<string, number>();
  expiredCount = 0;
  private sweepIter: Iterator<[string, number]> | undefined;

  constructor(
    /** the database number; SWAPDB exchanges two Keyspace objects and their ids */
    public id: number,
    private readonly listener?: KeyspaceListener,
  ) {}

  get size(): number {
    return this.data.size;
  }

  /** The live value at `key`, expiring it first if its deadline has passed. */
  lookup(key: string, now: number): Value | undefined {
    const v = this.data.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size > 0) {
      const at = this.expires.get(key);
      if (at !== undefined && at <= now) {
        this.expireNow(key);
        return undefined;
      }
    }
    return v;
  }

  /** True when the key exists and is live. */
  has(key: string, now: number): boolean {
    return this.lookup(key, now) !== undefined;
  }

  /** Stores a value, replacing any previous one; the TTL is cleared unless keepTtl. */
  set(key: string, v: Value, keepTtl = false): void {
    this.data.set(key, v);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.modified(key);
  }

  /** Deletes a key; returns whether it existed (expired keys count as absent). */
  delete(key: string, now: number): boolean {
    if (this.lookup(key, now) === undefined) return false;
    this.remove(key);
    return true;
  }

  /** Removes a key without an expiry check (used for emptied containers). */
  remove(key: string): void {
    this.data.delete(key);
    if (this.expires.size > 0) this.expires.delete(key);
    this.modified(key);
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Sets an absolute deadline (ms). A deadline at or before `now` deletes the key at once. */
  setExpire(key: string, at: number, now: number): void {
    if (at <= now) {
      this.remove(key);
      return;
    }
    this.expires.set(key, at);
    this.modified(key);
  }

  persist(key: string): boolean {
    const had = this.expires.delete(key);
    if (had) this.modified(key);
    return had;
  }

  clear(): void {
    // listeners run while the keys are still there: WATCH invalidates only the keys that existed (like Redis)
    this.listener?.flushed(this.id);
    this.data.clear();
    this.expires.clear();
    this.sweepIter = undefined;
  }

  /** Reports a change of key (see KeyspaceListener.keyModified for `member`). */
  modified(key: string, member?: Uint8Array): void {
    this.listener?.keyModified(this.id, key, member);
  }

  /**
   * Active expiry: looks at no more than `budget` keys with a TTL, deleting the expired ones.
   * Resumes where the previous sweep stopped, so repeated calls cover every volatile key.
   */
  activeExpire(now: number, budget = 200): number {
    if (this.expires.size === 0) return 0;
    let removed = 0;
    for (let i = 0; i < budget; i++) {
      if (!this.sweepIter) this.sweepIter = this.expires.entries();
      const next = this.sweepIter.next();
      if (next.done) {
        this.sweepIter = undefined;
        break;
      }
      const [key, at] = next.value;
      if (at <= now) {
        this.expireNow(key);
        removed++;
      }
    }
    return removed;
  }

  private expireNow(key: string): void {
    this.expiredCount++;
    this.remove(key);
  }
}
