/**
 * Inner nodes of the packed B+tree, the descent path through them, and the operations on one inner node.
 *
 * Representation
 * - An inner node holds up to innerMax (128) children with, per child: a separator key (a copy of the child's
 *   smallest key at the time it was created: a plain Uint8Array, see separatorOf), the number of entries below it,
 *   and the sum of the weights below it. For searching, the separators are also packed into one buffer (kbuf/koffs).
 * - A Path records where a descent went (the node and child index at each depth, and the key's common prefixes with
 *   the bounds of the node reached); each tree owns one and rewrites it on every descent, and its modifications walk
 *   it back up (counts, weights, splits, merges).
 *
 * Invariants (checked by invariants.ts)
 * - Every key below child i is ≥ keys[i] (i ≥ 1) and < keys[i + 1]; keys[0] is unused. Deletes never need to update
 *   separators. The packed separators equal keys[] unless `kdirty`.
 * - counts[i] / weights[i] equal the entry count / weight sum of child i, `count` / `weight` their sums; the root,
 *   when inner, has at least two children. Weights are summed exactly for integers below 2^53: sums are adjusted by
 *   differences only while every figure is a safe integer (adjustedSum), else recomputed.
 *
 * Cost (F = children): innerSearch O(log F) key comparisons after the shared prefix; packKeys O(F + separator
 * bytes); removeChild, tryMergeInner O(F); sumRange O(h·F + L) over a tree of height h.
 */

import { allocBuf } from './buffer-pools';
import { compareFrom, EMPTY, lcpAbove } from './bytes';
import { derivedSum, type Leaf } from './leaf';
import type { LeafContext } from './limits';

const NO_KOFFS = new Uint32Array(1);
const NO_KBUF = Buffer.alloc(0);

export class Inner {
  count = 0;
  weight = 0;
  /**
   * The separators packed into one buffer for searching: keys[i] is kbuf[koffs[i], koffs[i + 1]). A search then
   * touches one contiguous block instead of one object per probe scattered over the heap (cache and TLB misses were
   * most of a descent's cost). A separator added by a child's split goes into the packed form in place while its
   * slack allows (packInserted); after any other change of `keys`, `kdirty`: the next search repacks (packKeys), into
   * the same buffers while they are big enough (they keep some slack), so that splits do not leave a garbage buffer
   * each.
   */
  kbuf: Buffer = NO_KBUF;
  koffs: Uint32Array = NO_KOFFS;
  /** separators packed (keys.length when not dirty) */
  kn = 0;
  kdirty = true;
  constructor(
    public keys: Uint8Array[],
    public children: Node[],
    public counts: number[],
    public weights: number[],
  ) {}
}

export type Node = Leaf | Inner;

export function sumOf(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}

/** Packs the separators of an inner node for searching (see Inner.kbuf); returns the buffer. */
export function packKeys(node: Inner): Buffer {
  const keys = node.keys;
  const n = keys.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += keys[i].length;
  if (node.koffs.length < n + 1) node.koffs = new Uint32Array(n + 1 + (n >> 3) + 4);
  if (node.kbuf.length < total) node.kbuf = allocBuf(total + (total >> 3) + 64);
  const offs = node.koffs;
  const buf = node.kbuf;
  let p = 0;
  for (let i = 0; i < n; i++) {
    offs[i] = p;
    buf.set(keys[i], p);
    p += keys[i].length;
  }
  offs[n] = p;
  node.kn = n;
  node.kdirty = false;
  return buf;
}

/**
 * After separators `seps` went into node.keys at index `at`: puts them into the packed separators in place (a shift
 * of the bytes and offsets after them) when those are current and have room, else leaves a repack to the next search.
 * A leaf split adds one separator to its parent, and repacking all of the parent's ~128 separators for it cost more
 * than the rest of the split.
 */
export function packInserted(node: Inner, at: number, seps: Uint8Array[]): void {
  const kn = node.kn;
  const k = seps.length;
  const ko = node.koffs;
  const kb = node.kbuf;
  let add = 0;
  for (let j = 0; j < k; j++) add += seps[j].length;
  const end = ko[kn];
  if (node.kdirty || ko.length < kn + k + 1 || kb.length < end + add) {
    node.kdirty = true;
    return;
  }
  const start = ko[at];
  if (start < end) kb.copyWithin(start + add, start, end);
  for (let j = kn; j >= at; j--) ko[j + k] = ko[j] + add;
  let p = start;
  for (let j = 0; j < k; j++) {
    const sep = seps[j];
    ko[at + j] = p;
    for (let b = 0; b < sep.length; b++) kb[p + b] = sep[b];
    p += sep.length;
  }
  node.kn = kn + k;
}

/** Where a tree's last descent went. Owned by the tree, rewritten by each of its descents. */
export class Path {
  /** nodes[d]: the inner node at depth d; idx[d]: the index of the child taken there */
  readonly nodes: Inner[] = [];
  readonly idx: number[] = [];
  /** the key's common prefixes with the lower and upper bounds of the node reached (see leafSearch) */
  lo = 0;
  hi = 0;
  /** the key's index in the tree's prepared batch when the descent took the path recorded there, else -1 */
  batchIndex = -1;
}

/**
 * Child index of an inner node whose range holds key. Reads and updates path.lo/path.hi: on entry the key's common
 * prefixes with the node's lower and upper bounds, on return those with the chosen child's bounds.
 */
export function innerSearch(node: Inner, key: Uint8Array, path: Path): number {
  const kb = node.kdirty ? packKeys(node) : node.kbuf;
  const ko = node.koffs;
  let lo = 1;
  let hi = node.kn;
  let llcp = path.lo;
  let rlcp = path.hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareFrom(key, kb, ko[mid], ko[mid + 1], Math.min(llcp, rlcp));
    if (c >= 0) {
      lo = mid + 1;
      llcp = lcpAbove(c, key);
    } else {
      hi = mid;
      rlcp = -1 - c;
    }
  }
  path.lo = llcp;
  path.hi = rlcp;
  return lo - 1;
}

export function nodeCount(node: Node): number {
  return node.count;
}

/**
 * An inner node's weight after one child's weight went from `before` to `after` (already stored): adjusted by the
 * difference when every figure is a safe integer (byte sizes: exact), else summed again over the children, so that
 * other weights never pick up rounding from adjusting.
 */
export function adjustedSum(p: Inner, before: number, after: number): number {
  const w = p.weight;
  const s = w - before + after;
  const exact =
    Number.isSafeInteger(s) && Number.isSafeInteger(w) && Number.isSafeInteger(before) && Number.isSafeInteger(after);
  return exact ? s : sumOf(p.weights, p.weights.length);
}

/** Removes child i of p (the tree's epoch must be bumped: see PackedBTree.epoch). */
export function removeChild(p: Inner, i: number): void {
  p.children.splice(i, 1);
  p.keys.splice(i, 1);
  p.kdirty = true;
  p.counts.splice(i, 1);
  p.weights.splice(i, 1);
  if (i === 0 && p.keys.length > 0) p.keys[0] = EMPTY;
  p.count = sumOf(p.counts, p.counts.length);
  p.weight = sumOf(p.weights, p.weights.length);
}

export function tryMergeInner(p: Inner, i: number, innerMax: number): boolean {
  const li = i + 1 < p.children.length ? i : i - 1;
  if (li < 0) return false;
  const left = p.children[li] as Inner;
  const right = p.children[li + 1] as Inner;
  if (left.children.length + right.children.length > innerMax) return false;
  left.keys.push(p.keys[li + 1], ...right.keys.slice(1));
  left.kdirty = true;
  left.children.push(...right.children);
  left.counts.push(...right.counts);
  left.weights.push(...right.weights);
  left.count = sumOf(left.counts, left.counts.length);
  left.weight = sumOf(left.weights, left.weights.length);
  p.counts[li] = left.count;
  p.weights[li] = left.weight;
  removeChild(p, li + 1);
  return true;
}

export function sumRange(node: Node, h: number, lo: number, hi: number, ctx: LeafContext): number {
  if (lo === 0 && hi === node.count) return node.weight;
  if (h === 0) {
    if (ctx.weightOf !== null) return derivedSum(node as Leaf, lo, hi, ctx.weightOf);
    const w = (node as Leaf).weights;
    if (w === null) return 0;
    let s = 0;
    for (let i = lo; i < hi; i++) s += w[i];
    return s;
  }
  const inner = node as Inner;
  let s = 0;
  let base = 0;
  for (let i = 0; i < inner.children.length && base < hi; i++) {
    const c = inner.counts[i];
    if (base + c > lo) {
      s += sumRange(inner.children[i], h - 1, Math.max(lo - base, 0), Math.min(hi - base, c), ctx);
    }
    base += c;
  }
  return s;
}
