/**
 * PackedBTree — an order-statistic B+tree of binary keys whose leaves are packed byte arrays (leaf.ts), under inner
 * nodes holding separators, entry counts and weight sums per child (inner.ts).
 *
 * Invariants (checked by checkInvariants(), see invariants.ts; per node in leaf.ts and inner.ts)
 * - Keys are unique and strictly ascending in memcmp order across the leaf chain; all leaves are at the same depth.
 * - No leaf is empty except an empty root; the root, when inner, has at least two children.
 * - Underflow is handled lazily: after a delete, an underfull node (< 1/4 full) is merged with a sibling when the
 *   two fit in one node; nodes are never split below one entry/child.
 * - Every key and value handed out is a fresh copy, never a view on leaf storage (which is modified in place).
 *
 * State and who owns it: everything a tree remembers between calls is its own, in its TreeState (tree-state.ts: its
 * nodes, the path of its last descent, the lookup hint, the structure epoch, its prepared batch, the key ranges it
 * watches, its LeafContext), which it keeps private. Cursors keep their own position (cursor.ts). Two trees, or a
 * cursor of one beside writes to another, share nothing but the buffer pools (buffer-pools.ts: caches of memory no
 * tree holds, shared on purpose).
 *
 * This class is the tree's surface; the work is done by functions on its TreeState, one idea per file:
 * - descent.ts    descents by key (hint, prepared batch), by rank, rightmost and by predicate; prepare()
 * - mutation.ts   insert / set / update / append / delete / removeRange / clear, splits, merges, propagation
 * - entries.ts    entries handed out, whole-tree walks: entries(), the packed-leaves snapshot form, stats
 * - key-range.ts  the key ranges the tree watches, settled before its next modification
 *
 * Cost (n entries, L = leafMaxEntries, F = innerMax, h = tree height ≈ log_F(n / L))
 * - get / has / rank / lowerBound / countWhile:   O(h·log F + log L) key comparisons (+ O(h·F) for rank sums)
 * - insert / set / update / delete:                O(h·log F + L) — a shift of at most L offsets (insert), a memmove
 *   of at most leafMaxBytes in the leaf (a size-changing update, delete), a sort of the leaf's bytes (the first
 *   delete or split after inserts);
 *   appending a key greater than every key is O(h) amortized (no key comparisons on the way down).
 * - prepare(keys) of k keys:                       k lookups' comparisons, their leaf misses overlapped (prepare.ts)
 * - at(rank) / cursor(rank):                       O(h·F)
 * - removeRange(start, end) of m entries:          O(m + (m / L + 1)·(h·F + L))
 * - weightBetween(start, end):                     O(h·F + L)
 * - cursor next/prev:                              O(1) (cursor.ts)
 */

import { TreeCursor } from './cursor';
import {
  countWhile,
  descendKey,
  descendRank,
  type KeyPredicate,
  keyIndex,
  leaveHint,
  prepareBatch,
  rankOfPath,
} from './descent';
import { appendPackedLeaves, byteSizeOf, entriesOf, packedLeavesOf, statsOf, type TreeEntry } from './entries';
import { type Node, sumRange } from './inner';
import { checkTree } from './invariants';
import { KeyRange, unwatchRange, watchRange } from './key-range';
import { keyEndAt, type Leaf, leafEntry, leafKey, valueAt } from './leaf';
import { DEFAULT_LIMITS, type KeyClassifier, LeafContext, type TreeLimits, type WeightOf } from './limits';
import { appendKey, clearTree, deleteKey, MODE_INSERT, MODE_SET, MODE_UPDATE, removeRanks, upsert } from './mutation';
import type { PreparedBatch } from './prepare';
import { TreeState } from './tree-state';

export type { KeyPredicate, TreeEntry };

export class PackedBTree {
  /** @internal */
  readonly ctx: LeafContext;
  /** the tree's internals (tree-state.ts), which the functions of descent.ts, mutation.ts and entries.ts work on */
  private readonly s: TreeState;

  /**
   * `weightOf`: derive each entry's weight from its value (see WeightOf); the weights given to writes are then
   * ignored and leaves keep no per-entry weight array. `flagKey`: the keys each leaf counts (KeyClassifier).
   */
  constructor(limits?: TreeLimits, weightOf?: WeightOf, flagKey?: KeyClassifier) {
    this.ctx = new LeafContext(limits ?? DEFAULT_LIMITS, weightOf ?? null, flagKey ?? null);
    this.s = new TreeState(this.ctx);
  }

  /** Builds a tree from entries in strictly ascending key order (throws otherwise). O(n). */
  static fromSorted(entries: Iterable<{ key: Uint8Array; value?: Uint8Array; weight?: number }>): PackedBTree {
    const t = new PackedBTree();
    for (const e of entries) t.append(e.key, e.value, e.weight ?? 0);
    return t;
  }

  /**
   * @internal A tree over nodes built outside (bulk-load.ts's TreeLoader): `root` of `height` inner levels above
   * `leafCount` linked leaves from `head` to `tail` (root itself when it is the only leaf) holding `dataBytes` bytes
   * of entries, under `ctx`.
   */
  static fromNodes(
    ctx: LeafContext,
    root: Node,
    height: number,
    leafCount: number,
    dataBytes: number,
    head: Leaf = root as Leaf,
    tail: Leaf = head,
  ): PackedBTree {
    const t = new PackedBTree(
      { leafMaxEntries: ctx.leafMaxEntries, leafMaxBytes: ctx.leafMaxBytes, innerMax: ctx.innerMax },
      ctx.weightOf ?? undefined,
      ctx.flagKey ?? undefined,
    );
    const s = t.s;
    s.root = root;
    s.height = height;
    s.head = head;
    s.tail = tail;
    s.leafCount = leafCount;
    s.dataBytes = dataBytes;
    return t;
  }

  /**
   * Builds a tree from the packedLeaves() form (given the same WeightOf for derived weights); throws when the
   * entries do not match their counts.
   */
  static fromPackedLeaves(
    leaves: Iterable<{ entries: Uint8Array; count: number; weights: Float64Array | null }>,
    weightOf?: WeightOf,
  ): PackedBTree {
    const t = new PackedBTree(undefined, weightOf);
    appendPackedLeaves(t.s, leaves);
    return t;
  }

  get size(): number {
    return this.s.root.count;
  }

  get totalWeight(): number {
    return this.s.root.weight;
  }

  /** Approximate memory footprint in bytes. */
  byteSize(): number {
    return byteSizeOf(this.s);
  }

  /**
   * Prepares the lookups of keys[0, n) (n ≤ PREPARE_MAX) that a batch of writes will make next, so that their cache
   * misses overlap (see prepare.ts): descends for each key, then runs their leaf searches side by side, and records
   * the paths and results in this tree's PreparedBatch, which it returns. A later descent of the same key object in
   * this tree (descendKey, then keyIndex) reuses them while no node has been split, merged or removed since (epoch).
   * Changes nothing in the tree (it may repack an inner node's separators, see Inner.kbuf). Release the batch when
   * its writes are done (PreparedBatch.release).
   */
  prepare(keys: readonly Uint8Array[], n: number): PreparedBatch {
    return prepareBatch(this.s, keys, n);
  }

  // ---- queries ----

  has(key: Uint8Array): boolean {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    leaveHint(s, key, leaf, r);
    return r >= 0;
  }

  get(key: Uint8Array): TreeEntry | undefined {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    if (r < 0) return undefined;
    return leafEntry(leaf, r, s.ctx.weightOf);
  }

  /** Value of key, or null when the key is absent (undefined when present without a value). */
  getValue(key: Uint8Array): Buffer | undefined | null {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    leaveHint(s, key, leaf, r);
    if (r < 0) return null;
    return valueAt(leaf.buf, keyEndAt(leaf.buf, leaf.offs[r]), 0);
  }

  /** 0-based rank of key, or -1 when absent. */
  rank(key: Uint8Array): number {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    if (r < 0) return -1;
    return rankOfPath(s) + r;
  }

  /** Number of keys < key (≤ key when inclusive). */
  lowerBound(key: Uint8Array, inclusive: boolean): number {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    const i = r < 0 ? ~r : inclusive ? r + 1 : r;
    return rankOfPath(s) + i;
  }

  /**
   * Number of leading keys for which pred holds, assuming pred is monotone (true then false) in key order. Separator
   * keys are probed too; with a non-monotone predicate the answer is some deterministic count in [0, size].
   */
  countWhile(pred: KeyPredicate): number {
    return countWhile(this.s, pred);
  }

  at(rank: number): TreeEntry | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const s = this.s;
    const leaf = descendRank(s, rank);
    return leafEntry(leaf, s.rankInLeaf, s.ctx.weightOf);
  }

  keyAt(rank: number): Buffer | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const leaf = descendRank(this.s, rank);
    return leafKey(leaf, this.s.rankInLeaf);
  }

  /** A cursor on rank `rank` (invalid when out of range). The tree must not be modified while it is in use. */
  cursor(rank: number): TreeCursor {
    if (!(rank >= 0 && rank < this.size)) return new TreeCursor(null, 0);
    const leaf = descendRank(this.s, rank);
    return new TreeCursor(leaf, this.s.rankInLeaf, this);
  }

  /**
   * The `count` keys from rank `rank` on (count ≥ 1 keys that exist; downward from it when reverse), each from byte
   * `skip` on, to be read later (key-range.ts). The tree watches the range until it is released: the next
   * modification first copies its keys out (settles it). One descent.
   */
  keyRange(rank: number, count: number, skip: number, reverse: boolean): KeyRange {
    if (!(rank >= 0 && rank < this.size && count >= 1 && (reverse ? rank + 1 : this.size - rank) >= count)) {
      throw new RangeError('PackedBTree.keyRange: keys out of range');
    }
    const leaf = descendRank(this.s, rank);
    const range = new KeyRange(this, leaf, this.s.rankInLeaf, count, skip, reverse);
    watchRange(this.s, range);
    return range;
  }

  /** @internal Ends the watch of a range (KeyRange.release); returns the range. */
  unwatch(range: KeyRange): KeyRange {
    return unwatchRange(this.s, range);
  }

  /**
   * A cursor on the first key ≥ key (> key when exclusive); invalid when there is none. One descent. Values read
   * through it skip their first `valueSkip` bytes (a value shorter than that reads as absent).
   */
  seekCursor(key: Uint8Array, exclusive: boolean, valueSkip = 0): TreeCursor {
    const c = new TreeCursor(null, 0, this, valueSkip);
    this.seekInto(c, key, exclusive);
    return c;
  }

  /** @internal Positions c on the first key ≥ key (> key when exclusive) by a descent from the root. */
  seekInto(c: TreeCursor, key: Uint8Array, exclusive: boolean): void {
    const s = this.s;
    const leaf = descendKey(s, key);
    const r = keyIndex(s, leaf, key);
    c.place(leaf, r < 0 ? ~r : exclusive ? r + 1 : r);
  }

  /** Sum of the weights of ranks [start, end). */
  weightBetween(start: number, end: number): number {
    if (start < 0) start = 0;
    if (end > this.size) end = this.size;
    if (start >= end) return 0;
    return sumRange(this.s.root, this.s.height, start, end, this.ctx);
  }

  // ---- modifications (mutation.ts) ----

  /** Inserts key when absent; returns false (and changes nothing) when present. */
  insert(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return upsert(this.s, key, value, weight, MODE_INSERT);
  }

  /** Inserts or replaces; returns true when the key was new. */
  set(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return upsert(this.s, key, value, weight, MODE_SET);
  }

  /** Replaces value and weight of an existing key; returns false when absent. */
  update(key: Uint8Array, value: Uint8Array | undefined, weight: number): boolean {
    return upsert(this.s, key, value, weight, MODE_UPDATE);
  }

  /** Appends a key greater than every key in the tree (throws otherwise). Amortized O(height). */
  append(key: Uint8Array, value?: Uint8Array, weight = 0): void {
    appendKey(this.s, key, value, weight);
  }

  /** Removes key; returns the removed entry (views stay valid) or undefined when absent. */
  delete(key: Uint8Array): TreeEntry | undefined {
    return deleteKey(this.s, key);
  }

  /** Removes ranks [start, end); returns how many entries were removed. */
  removeRange(start: number, end: number): number {
    return removeRanks(this.s, start, end);
  }

  clear(): void {
    clearTree(this.s);
  }

  // ---- iteration / export (entries.ts) ----

  entries(): IterableIterator<TreeEntry> {
    return entriesOf(this.s);
  }

  /**
   * The leaves in order, as packed entry bytes ([varint keyLen][key][varint valTag][value]...), entry count and
   * per-entry weights (null when all zero, and in a tree of derived weights): a compact snapshot form, reloadable
   * with fromPackedLeaves (given the same WeightOf for derived weights).
   */
  packedLeaves(): IterableIterator<{ entries: Buffer; count: number; weights: Float64Array | null }> {
    return packedLeavesOf(this.s);
  }

  /** Shape and storage figures (O(number of leaves)), for benchmarks and MEMORY-style diagnostics. */
  stats(): { height: number; leaves: number; innerNodes: number; usedBytes: number; capacityBytes: number } {
    return statsOf(this.s);
  }

  /** Throws when an internal invariant does not hold. O(n). */
  checkInvariants(): void {
    const s = this.s;
    checkTree(s.root, s.height, s.head, s.tail, s.leafCount, s.dataBytes, s.ctx);
  }
}
