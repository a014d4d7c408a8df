/**
 * A small cache of whole GET responses for the read-heavy routes (JSON listing pages, S3 listing pages, stats).
 * An entry is served while what it read is unchanged (the app tells: its bucket's version, and the key range it
 * depends on, see index-versions.ts), so a cached page is exactly what the index would answer now: no TTL, no
 * staleness. Bounded by entries and bytes; least recently used entries go first.
 */

export interface CachedResponse {
  readonly status: number;
  /** lower-case names */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** What tells the cache whether an entry is still right (see index-versions.ts). */
export interface CacheValidity<R = unknown> {
  /** the version of what the response cached under `key` reads */
  version(key: string): number;
  /**
   * The version now, when the response to `key` computed at version `since`, depending on `range`, is still right;
   * undefined when it may not be
   */
  currentFor(key: string, since: number, range: R | undefined): number | undefined;
}

interface Entry<R> extends CachedResponse {
  /** moved forward when the entry is found still right at a later version */
  version: number;
  readonly range: R | undefined;
}

export class ResponseCache<R = unknown> {
  private readonly entries = new Map<string, Entry<R>>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly validity: CacheValidity<R>,
    private readonly maxEntries = 512,
    private readonly maxBytes = 64 * 1024 * 1024,
    /** larger bodies are not cached */
    private readonly maxEntryBytes = 4 * 1024 * 1024,
  ) {}

  get(key: string): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (e === undefined || !this.current(key, e)) {
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

  /** The version to pass to `set` for the response to `key` computed from now on. */
  currentVersion(key: string): number {
    return this.validity.version(key);
  }

  /** Whether an entry is still right; one found right at a later version is moved to it (next check: O(1)). */
  private current(key: string, e: Entry<R>): boolean {
    const now = this.validity.currentFor(key, e.version, e.range);
    if (now === undefined) return false;
    e.version = now;
    return true;
  }

  /**
   * Stores a response computed at `version` (read before computing it) that depends on `range` (undefined: on
   * everything its version covers); dropped when that moved since.
   */
  set(key: string, r: CachedResponse, version: number, range?: R): void {
    const now = this.validity.currentFor(key, version, range);
    if (now === undefined || r.body.byteLength > this.maxEntryBytes || this.maxBytes === 0) return;
    const old = this.entries.get(key);
    if (old !== undefined) this.delete(key, old);
    this.entries.set(key, { ...r, version: now, range });
    this.bytes += r.body.byteLength;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(k, e);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, e: Entry<R>): void {
    this.entries.delete(key);
    this.bytes -= e.body.byteLength;
  }
}
