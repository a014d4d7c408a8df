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
 * State and who owns it: everything a tree remembers between calls is its own: the path of its last descent (Path),
 * the descent a lookup leaves for the write of the same key object (hint*), the epoch of its inner structure, its
 * prepared batch (prepare.ts), the key ranges it watches (key-range.ts) and its LeafContext (limits, KeyClassifier,
 * sortLeaf's staging area, the key spans of range reads). Cursors keep their own
 * position (cursor.ts). Two trees, or a cursor of one beside writes to another, share nothing but the buffer pools
 * (buffer-pools.ts: caches of memory no tree holds, shared on purpose).
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

import { GROW_NORMAL, GROW_TAIL } from './buffer-pools';
import { compareBytes, copyBytes, EMPTY, readVarint, varintEnd } from './bytes';
import { TreeCursor } from './cursor';
import {
  adjustedSum,
  Inner,
  innerSearch,
  type Node,
  nodeCount,
  Path,
  packInserted,
  packKeys,
  removeChild,
  sumOf,
  sumRange,
  tryMergeInner,
} from './inner';
import { checkTree } from './invariants';
import { KeyRange } from './key-range';
import {
  bytesInOrder,
  EMPTY_LEAF,
  insertEntry,
  keyEndAt,
  keyStartAt,
  Leaf,
  leafKey,
  leafOverflows,
  leafSearch,
  leafUnderflows,
  leafWeight,
  mergeLeafInto,
  removeEntries,
  replaceEntry,
  separatorOf,
  splitLeaf,
  valueAt,
} from './leaf';
import { DEFAULT_LIMITS, type KeyClassifier, LeafContext, type TreeLimits, type WeightOf } from './limits';
import { PREPARE_MAX, PreparedBatch } from './prepare';

/** Rough V8 cost of a leaf's objects (Leaf, Buffer, ArrayBuffer, offsets array, separator in the parent). */
const LEAF_OVERHEAD_BYTES = 400;

export interface TreeEntry {
  key: Buffer;
  value: Buffer | undefined;
  weight: number;
}

/** A predicate that is true for a prefix of the key order and false afterwards. Receives key bytes [start, end). */
export type KeyPredicate = (buf: Uint8Array, start: number, end: number) => boolean;

export class PackedBTree {
  private root: Node = new Leaf();
  private height = 0;
  private head: Leaf;
  private tail: Leaf;
  private leafCount = 1;
  private dataBytes = 0;
  /** @internal */
  readonly ctx: LeafContext;
  /** where the last descent went (modifications update the nodes on it) */
  private readonly path = new Path();
  /** the index in its leaf of the rank descendRank was last given */
  private rankInLeaf = 0;
  /**
   * Descent reuse: has(key) and getValue(key) leave their descent (its path in `path`, its leaf and search result
   * here) for the next descendKey of the same key object (a read-modify-write, e.g. ZADD's score check then insert,
   * costs one descent). Every other descent of this tree and clear() drop it, and every modification starts with a
   * descent, so the recorded path is never stale when reused.
   */
  private hintKey: Uint8Array | null = null;
  private hintLeaf: Leaf = EMPTY_LEAF;
  /** leafSearch's result for the hinted key in hintLeaf */
  private hintIdx = 0;
  private hintLo = 0;
  private hintHi = 0;
  /**
   * Bumped whenever the inner structure changes (a node split, merged or removed, the root replaced): a path recorded
   * by prepare() is valid while it is unchanged. Leaf contents may change meanwhile: a key's leaf and the bounds of
   * that leaf (its separators) stay the same, and the recorded position in it is checked (PreparedBatch.holds).
   */
  private epoch = 0;
  /** the lookups prepare() recorded (null before the first prepare) */
  private batch: PreparedBatch | null = null;
  /**
   * The key ranges handed out and still to be read (keyRange): settled before the next modification, so that they
   * read the tree as it was (key-range.ts). Made on the first keyRange; at most WATCH_MAX ranges.
   */
  private watched: KeyRange[] | null = null;

  /**
   * `weightOf`: derive each entry's weight from its value (see WeightOf); the weights given to writes are then
   * ignored and leaves keep no per-entry weight array. `flagKey`: the keys each leaf counts (KeyClassifier).
   */
  constructor(limits?: TreeLimits, weightOf?: WeightOf, flagKey?: KeyClassifier) {
    this.ctx = new LeafContext(limits ?? DEFAULT_LIMITS, weightOf ?? null, flagKey ?? null);
    this.head = this.root as Leaf;
    this.tail = this.head;
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
    t.root = root;
    t.height = height;
    t.head = head;
    t.tail = tail;
    t.leafCount = leafCount;
    t.dataBytes = dataBytes;
    return t;
  }

  get size(): number {
    return this.root.count;
  }

  get totalWeight(): number {
    return this.root.weight;
  }

  /** Approximate memory footprint in bytes. */
  byteSize(): number {
    return this.dataBytes + this.size * 2 + this.leafCount * LEAF_OVERHEAD_BYTES;
  }

  // ---- descents ----

  private descendKey(key: Uint8Array): Leaf {
    const path = this.path;
    path.batchIndex = -1;
    if (this.hintKey === key) {
      // getValue(key) just descended for this very key object and nothing has descended since: path still valid
      this.hintKey = null;
      path.lo = this.hintLo;
      path.hi = this.hintHi;
      return this.hintLeaf;
    }
    this.hintKey = null;
    const batch = this.batch;
    if (batch !== null && batch.n > 0 && batch.epoch === this.epoch) {
      const leaf = batch.take(key, path, this.height);
      if (leaf !== null) return leaf;
    }
    path.lo = 0;
    path.hi = 0;
    const nodes = path.nodes;
    const idx = path.idx;
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const i = innerSearch(inner, key, path);
      nodes[d] = inner;
      idx[d] = i;
      node = inner.children[i];
    }
    return node as Leaf;
  }

  /** Descends to the rightmost leaf (where a key greater than every key goes). */
  private descendRightmost(): Leaf {
    return this.descendRank(-1);
  }

  /**
   * Descends to the leaf holding rank r (0 ≤ r < size) and sets `rankInLeaf`, or to the rightmost leaf when r is -1
   * (its last child at each level: no counts summed); returns the leaf.
   */
  private descendRank(r: number): Leaf {
    this.hintKey = null;
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      let i = 0;
      if (r < 0) {
        i = inner.children.length - 1;
      } else {
        const counts = inner.counts;
        while (r >= counts[i]) r -= counts[i++];
      }
      nodes[d] = inner;
      idx[d] = i;
      node = inner.children[i];
    }
    this.rankInLeaf = r;
    return node as Leaf;
  }

  private rankOfPath(): number {
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let r = 0;
    for (let d = 0; d < this.height; d++) {
      const counts = nodes[d].counts;
      const i = idx[d];
      for (let j = 0; j < i; j++) r += counts[j];
    }
    return r;
  }

  private greaterThanMax(key: Uint8Array): boolean {
    const t = this.tail;
    if (t.count === 0) return false;
    const buf = t.buf;
    const p = t.offs[t.count - 1];
    return compareBytes(key, buf, keyStartAt(buf, p), keyEndAt(buf, p)) > 0;
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
    n = Math.min(n, PREPARE_MAX);
    let batch = this.batch;
    if (batch === null) batch = this.batch = new PreparedBatch();
    // not used by the descents that record it
    batch.n = 0;
    const path = this.path;
    for (let j = 0; j < n; j++) {
      const key = keys[j];
      batch.record(j, key, this.descendKey(key), path, this.height);
    }
    batch.searchLeaves(n, this.height);
    batch.epoch = this.epoch;
    batch.n = n;
    batch.next = 0;
    return batch;
  }

  /**
   * leafSearch of a key in the leaf descendKey just returned, using the position prepare() recorded when descendKey
   * took the prepared path (path.batchIndex ≥ 0), after checking it against the entries around it.
   */
  private keyIndex(leaf: Leaf, key: Uint8Array): number {
    const path = this.path;
    const j = path.batchIndex;
    if (j >= 0) {
      path.batchIndex = -1;
      const batch = this.batch!;
      if (batch.holds(j, leaf, key, Math.min(path.lo, path.hi))) return batch.result(j);
    }
    return leafSearch(leaf, key, path.lo, path.hi);
  }

  // ---- queries ----

  has(key: Uint8Array): boolean {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    this.leaveHint(key, leaf, r);
    return r >= 0;
  }

  /**
   * Lets the next descendKey of this key object reuse the descent just made (a lookup followed by a write); r: its
   * leafSearch result.
   */
  private leaveHint(key: Uint8Array, leaf: Leaf, r: number): void {
    this.hintKey = key;
    this.hintLeaf = leaf;
    this.hintIdx = r;
    this.hintLo = this.path.lo;
    this.hintHi = this.path.hi;
  }

  get(key: Uint8Array): TreeEntry | undefined {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return undefined;
    return this.entryOf(leaf, r);
  }

  /** Value of key, or null when the key is absent (undefined when present without a value). */
  getValue(key: Uint8Array): Buffer | undefined | null {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    this.leaveHint(key, leaf, r);
    if (r < 0) return null;
    return valueAt(leaf.buf, keyEndAt(leaf.buf, leaf.offs[r]), 0);
  }

  private entryOf(leaf: Leaf, i: number): TreeEntry {
    const buf = leaf.buf;
    const p = leaf.offs[i];
    const ke = keyEndAt(buf, p);
    const key = copyBytes(buf, keyStartAt(buf, p), ke);
    const value = valueAt(buf, ke, 0);
    return { key, value, weight: leafWeight(leaf, i, this.ctx.weightOf) };
  }

  /** 0-based rank of key, or -1 when absent. */
  rank(key: Uint8Array): number {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return -1;
    return this.rankOfPath() + r;
  }

  /** Number of keys < key (≤ key when inclusive). */
  lowerBound(key: Uint8Array, inclusive: boolean): number {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    const i = r < 0 ? ~r : inclusive ? r + 1 : r;
    return this.rankOfPath() + i;
  }

  /**
   * Number of leading keys for which pred holds, assuming pred is monotone (true then false) in key order. Separator
   * keys are probed too; with a non-monotone predicate the answer is some deterministic count in [0, size].
   */
  countWhile(pred: KeyPredicate): number {
    let node = this.root;
    let r = 0;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const kb = inner.kdirty ? packKeys(inner) : inner.kbuf;
      const ko = inner.koffs;
      let lo = 1;
      let hi = inner.kn;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(kb, ko[mid], ko[mid + 1])) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      for (let j = 0; j < i; j++) r += inner.counts[j];
      node = inner.children[i];
    }
    const leaf = node as Leaf;
    const buf = leaf.buf;
    let lo = 0;
    let hi = leaf.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = leaf.offs[mid];
      if (pred(buf, keyStartAt(buf, p), keyEndAt(buf, p))) lo = mid + 1;
      else hi = mid;
    }
    return r + lo;
  }

  at(rank: number): TreeEntry | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const leaf = this.descendRank(rank);
    return this.entryOf(leaf, this.rankInLeaf);
  }

  keyAt(rank: number): Buffer | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const leaf = this.descendRank(rank);
    return leafKey(leaf, this.rankInLeaf);
  }

  /** A cursor on rank `rank` (invalid when out of range). The tree must not be modified while it is in use. */
  cursor(rank: number): TreeCursor {
    if (!(rank >= 0 && rank < this.size)) return new TreeCursor(null, 0);
    const leaf = this.descendRank(rank);
    return new TreeCursor(leaf, this.rankInLeaf, this);
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
    const leaf = this.descendRank(rank);
    const range = new KeyRange(this, leaf, this.rankInLeaf, count, skip, reverse);
    let w = this.watched;
    if (w === null) w = this.watched = [];
    // a bound on what unread ranges can keep alive: one is settled
    if (w.length >= WATCH_MAX) this.unwatch(w[0]).settle();
    w.push(range);
    return range;
  }

  /** @internal Ends the watch of a range (KeyRange.release); returns the range. */
  unwatch(range: KeyRange): KeyRange {
    const w = this.watched;
    if (w === null) return range;
    const i = w.lastIndexOf(range);
    if (i >= 0) {
      w[i] = w[w.length - 1];
      w.pop();
    }
    return range;
  }

  /** Before any modification: settles the watched ranges (they then read copies of their keys). */
  private settleWatched(): void {
    const w = this.watched!;
    while (w.length > 0) w.pop()!.settle();
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
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    c.place(leaf, r < 0 ? ~r : exclusive ? r + 1 : r);
  }

  /** Sum of the weights of ranks [start, end). */
  weightBetween(start: number, end: number): number {
    if (start < 0) start = 0;
    if (end > this.size) end = this.size;
    if (start >= end) return 0;
    return sumRange(this.root, this.height, start, end, this.ctx);
  }

  // ---- modifications ----

  /** Inserts key when absent; returns false (and changes nothing) when present. */
  insert(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return this.upsert(key, value, weight, MODE_INSERT);
  }

  /** Inserts or replaces; returns true when the key was new. */
  set(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return this.upsert(key, value, weight, MODE_SET);
  }

  /** Replaces value and weight of an existing key; returns false when absent. */
  update(key: Uint8Array, value: Uint8Array | undefined, weight: number): boolean {
    return this.upsert(key, value, weight, MODE_UPDATE);
  }

  /** Appends a key greater than every key in the tree (throws otherwise). Amortized O(height). */
  append(key: Uint8Array, value?: Uint8Array, weight = 0): void {
    if (this.watched !== null && this.watched.length > 0) this.settleWatched();
    if (this.size > 0 && !this.greaterThanMax(key)) throw new Error('PackedBTree.append: keys must be ascending');
    const leaf = this.descendRightmost();
    this.insertAt(leaf, leaf.count, key, value, weight);
  }

  private upsert(key: Uint8Array, value: Uint8Array | undefined, weight: number, mode: number): boolean {
    if (this.watched !== null && this.watched.length > 0) this.settleWatched();
    let leaf: Leaf;
    let r: number;
    if (this.hintKey === key) {
      // a lookup of this very key object just searched this leaf (a key above the maximum landed at the end of
      // the rightmost leaf, where the append path below would put it too)
      this.hintKey = null;
      leaf = this.hintLeaf;
      r = this.hintIdx;
    } else {
      if (this.greaterThanMax(key)) {
        if (mode === MODE_UPDATE) return false;
        leaf = this.descendRightmost();
        this.insertAt(leaf, leaf.count, key, value, weight);
        return true;
      }
      leaf = this.descendKey(key);
      r = this.keyIndex(leaf, key);
    }
    if (r >= 0) {
      if (mode === MODE_INSERT) return false;
      const oldWeight = leaf.weight;
      const oldUsed = leaf.used;
      replaceEntry(leaf, r, key, value, weight, this.ctx);
      this.dataBytes += leaf.used - oldUsed;
      this.propagate(leaf, 0, oldWeight);
      if (leafOverflows(leaf, this.ctx)) this.splitAfterInsert(leaf, false);
      return mode === MODE_UPDATE;
    }
    if (mode === MODE_UPDATE) return false;
    this.insertAt(leaf, ~r, key, value, weight);
    return true;
  }

  private insertAt(leaf: Leaf, i: number, key: Uint8Array, value: Uint8Array | undefined, weight: number): void {
    const oldWeight = leaf.weight;
    const oldUsed = leaf.used;
    const tailAppend = i === leaf.count && leaf.next === null;
    insertEntry(leaf, i, key, value, weight, tailAppend ? GROW_TAIL : GROW_NORMAL, this.ctx);
    this.dataBytes += leaf.used - oldUsed;
    this.propagate(leaf, 1, oldWeight);
    if (leafOverflows(leaf, this.ctx)) this.splitAfterInsert(leaf, tailAppend);
  }

  /** Removes key; returns the removed entry (views stay valid) or undefined when absent. */
  delete(key: Uint8Array): TreeEntry | undefined {
    if (this.watched !== null && this.watched.length > 0) this.settleWatched();
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return undefined;
    const entry = this.entryOf(leaf, r);
    this.removeFromLeaf(leaf, r, r + 1);
    return entry;
  }

  /** Removes ranks [start, end); returns how many entries were removed. */
  removeRange(start: number, end: number): number {
    if (this.watched !== null && this.watched.length > 0) this.settleWatched();
    if (start < 0) start = 0;
    if (end > this.size) end = this.size;
    let left = end - start;
    const removed = Math.max(left, 0);
    while (left > 0) {
      const leaf = this.descendRank(start);
      const i = this.rankInLeaf;
      const k = Math.min(left, leaf.count - i);
      this.removeFromLeaf(leaf, i, i + k);
      left -= k;
    }
    return removed;
  }

  clear(): void {
    if (this.watched !== null && this.watched.length > 0) this.settleWatched();
    this.hintKey = null;
    this.epoch++;
    const leaf = new Leaf();
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
    this.height = 0;
    this.leafCount = 1;
    this.dataBytes = 0;
  }

  private removeFromLeaf(leaf: Leaf, from: number, to: number): void {
    const oldWeight = leaf.weight;
    const oldUsed = leaf.used;
    removeEntries(leaf, from, to, this.ctx);
    this.dataBytes += leaf.used - oldUsed;
    this.propagate(leaf, from - to, oldWeight);
    this.fixUnderflow(leaf);
  }

  /** Updates counts/weights on the recorded path after `leaf` changed by countDelta entries. */
  private propagate(leaf: Leaf, countDelta: number, oldWeight: number): void {
    const weightChanged = !Object.is(leaf.weight, oldWeight);
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let child: Node = leaf;
    for (let d = this.height - 1; d >= 0; d--) {
      const p = nodes[d];
      const i = idx[d];
      p.counts[i] += countDelta;
      p.count += countDelta;
      if (weightChanged) {
        const before = p.weights[i];
        p.weights[i] = child.weight;
        p.weight = adjustedSum(p, before, child.weight);
      }
      child = p;
    }
  }

  private splitAfterInsert(leaf: Leaf, appendMode: boolean): void {
    const parts: Leaf[] = [];
    splitLeaf(leaf, appendMode, parts, this.ctx);
    let prev = leaf;
    const last = leaf.next;
    const seps: Uint8Array[] = [];
    for (const part of parts) {
      prev.next = part;
      part.prev = prev;
      prev = part;
      seps.push(separatorOf(part));
    }
    prev.next = last;
    if (last === null) this.tail = prev;
    else last.prev = prev;
    this.leafCount += parts.length;
    this.insertSiblings(this.height - 1, leaf, parts, seps, appendMode);
  }

  /**
   * Inserts `nodes` (with separators `seps`) right after `orig`, the child taken at depth d of the recorded path,
   * whose content was just split; splits ancestors as needed.
   */
  private insertSiblings(d: number, orig: Node, nodes: Node[], seps: Uint8Array[], appendMode: boolean): void {
    this.epoch++;
    if (d < 0) {
      const children = [orig, ...nodes];
      const root = new Inner(
        [EMPTY, ...seps],
        children,
        children.map(nodeCount),
        children.map((c) => c.weight),
      );
      root.count = sumOf(root.counts, root.counts.length);
      root.weight = sumOf(root.weights, root.weights.length);
      this.root = root;
      this.height++;
      return;
    }
    const p = this.path.nodes[d];
    const i = this.path.idx[d];
    p.counts[i] = orig.count;
    p.weights[i] = orig.weight;
    p.keys.splice(i + 1, 0, ...seps);
    packInserted(p, i + 1, seps);
    p.children.splice(i + 1, 0, ...nodes);
    p.counts.splice(i + 1, 0, ...nodes.map(nodeCount));
    p.weights.splice(i + 1, 0, ...nodes.map((c) => c.weight));
    if (p.children.length <= this.ctx.innerMax) return;
    // At most a few children were added, so one split suffices: halves normally, a full left node when appending
    // at the right edge (sequential loads then leave full nodes behind).
    const len = p.children.length;
    const at = appendMode && i + nodes.length === len - 1 ? this.ctx.innerMax : len >> 1;
    const right = new Inner(p.keys.splice(at), p.children.splice(at), p.counts.splice(at), p.weights.splice(at));
    p.kdirty = true;
    const sep = right.keys[0];
    right.keys[0] = EMPTY;
    right.count = sumOf(right.counts, right.counts.length);
    right.weight = sumOf(right.weights, right.weights.length);
    p.count = sumOf(p.counts, p.counts.length);
    p.weight = sumOf(p.weights, p.weights.length);
    this.insertSiblings(d - 1, p, [right], [sep], appendMode);
  }

  /** After entries were removed from `leaf` (path recorded): drop empty nodes, merge underfull ones. */
  private fixUnderflow(leaf: Leaf): void {
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let node: Node = leaf;
    for (let d = this.height - 1; d >= 0; d--) {
      const p = nodes[d];
      const i = idx[d];
      if (node.count === 0) {
        if (node instanceof Leaf) this.unlinkLeaf(node);
        removeChild(p, i);
      } else if (node instanceof Leaf) {
        if (!leafUnderflows(node, this.ctx)) break;
        if (!this.tryMergeLeaf(p, i)) break;
      } else {
        if (node.children.length >= this.ctx.innerMin) break;
        if (!tryMergeInner(p, i, this.ctx.innerMax)) break;
      }
      this.epoch++;
      node = p;
    }
    while (this.height > 0) {
      const r = this.root as Inner;
      if (r.children.length > 1) break;
      if (r.children.length === 0) {
        this.clear();
        return;
      }
      this.root = r.children[0];
      this.height--;
      this.epoch++;
    }
  }

  private unlinkLeaf(leaf: Leaf): void {
    if (leaf.prev === null) this.head = leaf.next ?? leaf;
    else leaf.prev.next = leaf.next;
    if (leaf.next === null) this.tail = leaf.prev ?? leaf;
    else leaf.next.prev = leaf.prev;
    leaf.prev = null;
    leaf.next = null;
    this.leafCount--;
  }

  private tryMergeLeaf(p: Inner, i: number): boolean {
    const li = i + 1 < p.children.length ? i : i - 1;
    if (li < 0) return false;
    const left = p.children[li] as Leaf;
    const right = p.children[li + 1] as Leaf;
    if (left.count + right.count > this.ctx.leafMaxEntries || left.used + right.used > this.ctx.leafMaxBytes) {
      return false;
    }
    mergeLeafInto(left, right, this.ctx);
    this.unlinkLeaf(right);
    p.counts[li] = left.count;
    p.weights[li] = left.weight;
    removeChild(p, li + 1);
    return true;
  }

  // ---- iteration / export ----

  *entries(): IterableIterator<TreeEntry> {
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.count; i++) yield this.entryOf(leaf, i);
    }
  }

  /**
   * The leaves in order, as packed entry bytes ([varint keyLen][key][varint valTag][value]...), entry count and
   * per-entry weights (null when all zero, and in a tree of derived weights): a compact snapshot form, reloadable
   * with fromPackedLeaves (given the same WeightOf for derived weights).
   */
  *packedLeaves(): IterableIterator<{ entries: Buffer; count: number; weights: Float64Array | null }> {
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      if (leaf.count === 0) continue;
      yield {
        entries: bytesInOrder(leaf),
        count: leaf.count,
        weights: leaf.weights === null ? null : Float64Array.from(leaf.weights.subarray(0, leaf.count)),
      };
    }
  }

  static fromPackedLeaves(
    leaves: Iterable<{ entries: Uint8Array; count: number; weights: Float64Array | null }>,
    weightOf?: WeightOf,
  ): PackedBTree {
    const t = new PackedBTree(undefined, weightOf);
    const malformed = (): never => {
      throw new Error('PackedBTree.fromPackedLeaves: entries do not match their count');
    };
    for (const l of leaves) {
      const buf = Buffer.from(l.entries.buffer, l.entries.byteOffset, l.entries.byteLength);
      let p = 0;
      for (let i = 0; i < l.count; i++) {
        if (p >= buf.length) malformed();
        const kl = readVarint(buf, p);
        const ks = varintEnd(buf, p);
        if (ks + kl >= buf.length) malformed();
        const key = buf.subarray(ks, ks + kl);
        const tag = readVarint(buf, ks + kl);
        const vs = varintEnd(buf, ks + kl);
        if (vs + (tag === 0 ? 0 : tag - 1) > buf.length) malformed();
        const value = tag === 0 ? undefined : buf.subarray(vs, vs + tag - 1);
        p = vs + (tag === 0 ? 0 : tag - 1);
        t.append(key, value, l.weights === null ? 0 : l.weights[i]);
      }
      if (p !== buf.length) malformed();
    }
    return t;
  }

  /** Shape and storage figures (O(number of leaves)), for benchmarks and MEMORY-style diagnostics. */
  stats(): { height: number; leaves: number; innerNodes: number; usedBytes: number; capacityBytes: number } {
    let capacityBytes = 0;
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      capacityBytes += leaf.buf.length + leaf.offs.byteLength + (leaf.weights === null ? 0 : leaf.weights.byteLength);
    }
    let innerNodes = 0;
    const count = (node: Node, h: number): void => {
      if (h === 0) return;
      innerNodes++;
      for (const c of (node as Inner).children) count(c, h - 1);
    };
    count(this.root, this.height);
    return { height: this.height, leaves: this.leafCount, innerNodes, usedBytes: this.dataBytes, capacityBytes };
  }

  /** Throws when an internal invariant does not hold. O(n). */
  checkInvariants(): void {
    checkTree(this.root, this.height, this.head, this.tail, this.leafCount, this.dataBytes, this.ctx);
  }
}

/** At most this many ranges are watched at once (keyRange); a RESP connection encodes each before the next runs. */
const WATCH_MAX = 64;

const MODE_INSERT = 0;
const MODE_SET = 1;
const MODE_UPDATE = 2;
