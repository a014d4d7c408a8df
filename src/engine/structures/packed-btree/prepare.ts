/**
 * Batch lookups: the leaf searches of a batch of keys run side by side, so that their cache misses overlap.
 *
 * A lookup of a random key in a tree far beyond the CPU caches is a chain of ~15 dependent cache misses (the inner
 * nodes, then ~7 in the leaf's binary search), each waiting for the one before. PackedBTree.prepare(keys) descends
 * for each key one after the other (the inner nodes are mostly cached) and records each key's path here; then the
 * leaf searches run in rounds: a touch pass reads, for every key, the first bytes its next comparison will read
 * (independent loads, which the CPU overlaps), and a compare pass makes that comparison on cached bytes. The writes
 * that follow (the S3 index ingest prepares each group of 16 events: src/ingest/apply.ts) take each key's recorded
 * path and position instead of searching again (take, holds), while the tree's inner structure is unchanged (its
 * epoch), and check the recorded position with one or two comparisons, since earlier writes of the batch may have
 * changed the leaf.
 *
 * Ownership: a tree owns one PreparedBatch (made by its first prepare, reused by the next ones), and only that
 * tree's descents read it, so two trees' batches never mix. Release it when the batch's writes are done (release()
 * drops the keys and leaves it holds).
 *
 * Cost: prepare of n keys O(n·(h·log F + log L)) comparisons, like n lookups, but with the leaves' misses overlapped;
 * take O(n) key-object compares in the worst case (O(1) when the keys come in batch order); holds O(1) comparisons.
 */
import { compareFrom, EMPTY, readVarint, varintEnd } from './bytes';
import type { Inner, Path } from './inner';
import { EMPTY_LEAF, keyEndAt, keyStartAt, type Leaf } from './leaf';

/** Most keys one prepare() records. */
export const PREPARE_MAX = 64;

/**
 * The lookups prepare() recorded for a batch of keys: per key, the key object, its leaf and path, the common
 * prefixes of the key with the leaf's bounds, and the leaf search's result (lo, found); the searches' state while
 * they run.
 */
export class PreparedBatch {
  /** keys recorded (0: none, or released) */
  n = 0;
  /** the tree's structure epoch when recorded: the paths hold while it is unchanged */
  epoch = -1;
  /** where the next lookup of a recorded key starts (the batch's writes come in the order of its keys) */
  next = 0;
  /** the sum of the bytes prepare() touched, so that the loads are not optimised away */
  touched = 0;
  readonly keys: Uint8Array[] = [];
  readonly leaves: Leaf[] = [];
  readonly found = new Uint8Array(PREPARE_MAX);
  readonly lo = new Int32Array(PREPARE_MAX);
  readonly hi = new Int32Array(PREPARE_MAX);
  readonly llcp = new Int32Array(PREPARE_MAX);
  readonly rlcp = new Int32Array(PREPARE_MAX);
  readonly descLo = new Int32Array(PREPARE_MAX);
  readonly descHi = new Int32Array(PREPARE_MAX);
  /** the path of key j: pathNode[d * PREPARE_MAX + j], pathIdx[d * PREPARE_MAX + j] for depth d */
  readonly pathNode: Inner[] = [];
  readonly pathIdx: number[] = [];

  /** Drops what was recorded (so that it keeps no leaf or key reachable). */
  release(): void {
    for (let j = 0; j < this.n; j++) {
      this.keys[j] = EMPTY;
      this.leaves[j] = EMPTY_LEAF;
    }
    this.n = 0;
    this.pathNode.length = 0;
  }

  /** Records the descent of key j (just made: its leaf and the tree's path). */
  record(j: number, key: Uint8Array, leaf: Leaf, path: Path, height: number): void {
    this.keys[j] = key;
    for (let d = 0; d < height; d++) {
      this.pathNode[d * PREPARE_MAX + j] = path.nodes[d];
      this.pathIdx[d * PREPARE_MAX + j] = path.idx[d];
    }
    this.leaves[j] = leaf;
    this.descLo[j] = this.llcp[j] = path.lo;
    this.descHi[j] = this.rlcp[j] = path.hi;
    this.lo[j] = 0;
    this.found[j] = 0;
  }

  /**
   * The leaf searches of the n keys recorded, side by side (see PackedBTree.prepare): the leaves' objects, then their
   * arrays' objects, a pass each; then rounds of a touch pass and a compare pass.
   */
  searchLeaves(n: number, height: number): void {
    const keys = this.keys;
    const leaves = this.leaves;
    const lo = this.lo;
    const hi = this.hi;
    const ll = this.llcp;
    const rl = this.rlcp;
    for (let j = 0; j < n; j++) hi[j] = leaves[j].count;
    let sink = 0;
    for (let j = 0; j < n; j++) sink += leaves[j].buf.length + leaves[j].offs.length + leaves[j].weight;
    // the leaves' entries in their parents' counts and weights (updated by every insert)
    if (height > 0) {
      const d = (height - 1) * PREPARE_MAX;
      for (let j = 0; j < n; j++) {
        const parent = this.pathNode[d + j];
        const i = this.pathIdx[d + j];
        sink += parent.counts[i] + parent.weights[i];
      }
    }
    // where an insert writes its entry: after the leaf's bytes
    for (let j = 0; j < n; j++) {
      const { buf, used } = leaves[j];
      if (used + 64 < buf.length) sink += buf[used] + buf[used + 64];
    }
    for (let active = n; active > 0; ) {
      // touch pass: the first bytes each key's next comparison reads (its entry's length and the key bytes after the
      // common prefix)
      for (let j = 0; j < n; j++) {
        if (lo[j] >= hi[j]) continue;
        const { buf, offs } = leaves[j];
        const p = offs[(lo[j] + hi[j]) >>> 1];
        sink += buf[p] + buf[p + 1 + Math.min(ll[j], rl[j])];
      }
      // compare pass: one binary-search step per key
      active = 0;
      for (let j = 0; j < n; j++) {
        const l = lo[j];
        const h = hi[j];
        if (l >= h) continue;
        const leaf = leaves[j];
        const buf = leaf.buf;
        const mid = (l + h) >>> 1;
        const p = leaf.offs[mid];
        let kl = buf[p];
        let s = p + 1;
        if (kl >= 0x80) {
          kl = readVarint(buf, p);
          s = varintEnd(buf, p);
        }
        const c = compareFrom(keys[j], buf, s, s + kl, Math.min(ll[j], rl[j]));
        if (c > 0) {
          lo[j] = mid + 1;
          ll[j] = c - 1;
        } else if (c < 0) {
          hi[j] = mid;
          rl[j] = -1 - c;
        } else {
          lo[j] = mid;
          hi[j] = mid;
          this.found[j] = 1;
          continue;
        }
        if (lo[j] < hi[j]) active++;
      }
    }
    this.touched = sink;
  }

  /**
   * The leaf of key when it is one of the keys recorded and not yet taken, with its path restored into `path`
   * (path.batchIndex: its index here); else null.
   */
  take(key: Uint8Array, path: Path, height: number): Leaf | null {
    const n = this.n;
    for (let j = this.next; j < n; j++) {
      if (this.keys[j] !== key) continue;
      this.next = j + 1;
      for (let d = 0; d < height; d++) {
        path.nodes[d] = this.pathNode[d * PREPARE_MAX + j];
        path.idx[d] = this.pathIdx[d * PREPARE_MAX + j];
      }
      path.lo = this.descLo[j];
      path.hi = this.descHi[j];
      path.batchIndex = j;
      return this.leaves[j];
    }
    return null;
  }

  /**
   * Whether the position recorded for key j still holds in its leaf (earlier writes of the batch may have changed
   * the leaf): the entry there equals the key, or the key falls between the entries around it. `from`: bytes the key
   * shares with every entry of the leaf.
   */
  holds(j: number, leaf: Leaf, key: Uint8Array, from: number): boolean {
    const i = this.lo[j];
    const buf = leaf.buf;
    const offs = leaf.offs;
    const count = leaf.count;
    if (this.found[j] === 1) {
      if (i >= count) return false;
      const p = offs[i];
      return compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) === 0;
    }
    if (i > count) return false;
    if (i > 0) {
      const p = offs[i - 1];
      if (compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) <= 0) return false;
    }
    if (i < count) {
      const p = offs[i];
      if (compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) >= 0) return false;
    }
    return true;
  }

  /** The recorded result of key j's leaf search, as leafSearch returns it. */
  result(j: number): number {
    return this.found[j] === 1 ? this.lo[j] : ~this.lo[j];
  }
}
