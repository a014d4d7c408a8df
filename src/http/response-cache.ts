/**
 * A small cache of whole GET responses for the read-heavy routes (JSON listing pages, S3 listing pages, stats).
 * An entry is valid while the version of what it read is unchanged (the app passes the change counter of the
 * request's bucket, see index-versions.ts), so a cached page is exactly what the index would answer now: no TTL, no
 * staleness. Bounded by entries and bytes; least recently used entries go first.
 */

export interface CachedResponse {
  readonly status: number;
  /** lower-case names */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** the route pattern that answered (for metrics of requests served without the framework) */
  readonly route?: string;
}

interface Entry extends CachedResponse {
  readonly version: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    /** the version of what the response cached under a key reads */
    private readonly version: (key: string) => number,
    private readonly maxEntries = 512,
    private readonly maxBytes = 64 * 1024 * 1024,
    /** larger bodies are not cached */
    private readonly maxEntryBytes = 4 * 1024 * 1024,
  ) {}

  get(key: string): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (e === undefined || e.version !== this.version(key)) {
      if (e !== undefined) this.delete(key, e);
      this.misses++;
      return undefined;
    }
    // move to the most recently used end
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e;
  }

  /** A valid entry without counting a hit or a miss, nor touching its recency (see touch). */
  peek(key: string): CachedResponse | undefined {
    const e = this.entries.get(key);
    return e === undefined || e.version !== this.version(key) ? undefined : e;
  }

  /** Counts a hit on a valid entry found by peek and makes it the most recently used. */
  touch(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
  }

  /** The version to pass to `set` for the response to `key` computed from now on. */
  currentVersion(key: string): number {
    return this.version(key);
  }

  /** Stores a response computed at `version` (read before computing it); dropped when the index moved since. */
  set(key: string, r: CachedResponse, version: number): void {
    if (version !== this.version(key) || r.body.byteLength > this.maxEntryBytes || this.maxBytes === 0) return;
    const old = this.entries.get(key);
    if (old !== undefined) this.delete(key, old);
    this.entries.set(key, { ...r, version });
    this.bytes += r.body.byteLength;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(k, e);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.body.byteLength;
  }
}
