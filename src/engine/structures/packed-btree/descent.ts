/**
 * Descents of a tree (its TreeState, tree-state.ts) from the root to a leaf: by key (reusing a lookup's descent
 * through the hint, or a path prepare() recorded), by rank, to the rightmost leaf, and by a monotone key predicate;
 * the rank of the path last taken, the leaf search at its end, and the batch lookups of prepare() (prepare.ts).
 *
 * Every descent but countWhile's records its path in the state's Path, which the modifications that follow update
 * (mutation.ts); every one but the hinted and prepared ones starts from the root. Cost: O(h·log F + log L) key
 * comparisons by key, O(h·F) by rank (see tree.ts).
 */
import { compareBytes } from './bytes';
import { type Inner, innerSearch, packKeys } from './inner';
import { keyEndAt, keyStartAt, type Leaf, leafSearch } from './leaf';
import { PREPARE_MAX, PreparedBatch } from './prepare';
import type { TreeState } from './tree-state';

/** A predicate that is true for a prefix of the key order and false afterwards. Receives key bytes [start, end). */
export type KeyPredicate = (buf: Uint8Array, start: number, end: number) => boolean;

/** Descends to the leaf whose range holds key, recording the path (its bounds' common prefixes in path.lo/hi). */
export function descendKey(s: TreeState, key: Uint8Array): Leaf {
  const path = s.path;
  path.batchIndex = -1;
  if (s.hintKey === key) {
    // getValue(key) just descended for this very key object and nothing has descended since: path still valid
    s.hintKey = null;
    path.lo = s.hintLo;
    path.hi = s.hintHi;
    return s.hintLeaf;
  }
  s.hintKey = null;
  const batch = s.batch;
  if (batch !== null && batch.n > 0 && batch.epoch === s.epoch) {
    const leaf = batch.take(key, path, s.height);
    if (leaf !== null) return leaf;
  }
  path.lo = 0;
  path.hi = 0;
  const nodes = path.nodes;
  const idx = path.idx;
  let node = s.root;
  for (let d = 0; d < s.height; d++) {
    const inner = node as Inner;
    const i = innerSearch(inner, key, path);
    nodes[d] = inner;
    idx[d] = i;
    node = inner.children[i];
  }
  return node as Leaf;
}

/** Descends to the rightmost leaf (where a key greater than every key goes). */
export function descendRightmost(s: TreeState): Leaf {
  return descendRank(s, -1);
}

/**
 * Descends to the leaf holding rank r (0 ≤ r < size) and sets `rankInLeaf`, or to the rightmost leaf when r is -1
 * (its last child at each level: no counts summed); returns the leaf.
 */
export function descendRank(s: TreeState, r: number): Leaf {
  s.hintKey = null;
  const nodes = s.path.nodes;
  const idx = s.path.idx;
  let node = s.root;
  for (let d = 0; d < s.height; d++) {
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
  s.rankInLeaf = r;
  return node as Leaf;
}

/** The rank of the first entry of the leaf the last descent reached. */
export function rankOfPath(s: TreeState): number {
  const nodes = s.path.nodes;
  const idx = s.path.idx;
  let r = 0;
  for (let d = 0; d < s.height; d++) {
    const counts = nodes[d].counts;
    const i = idx[d];
    for (let j = 0; j < i; j++) r += counts[j];
  }
  return r;
}

/** Whether key is greater than every key of the tree (false when it is empty). */
export function greaterThanMax(s: TreeState, key: Uint8Array): boolean {
  const t = s.tail;
  if (t.count === 0) return false;
  const buf = t.buf;
  const p = t.offs[t.count - 1];
  return compareBytes(key, buf, keyStartAt(buf, p), keyEndAt(buf, p)) > 0;
}

/**
 * leafSearch of a key in the leaf descendKey just returned, using the position prepare() recorded when descendKey
 * took the prepared path (path.batchIndex ≥ 0), after checking it against the entries around it.
 */
export function keyIndex(s: TreeState, leaf: Leaf, key: Uint8Array): number {
  const path = s.path;
  const j = path.batchIndex;
  if (j >= 0) {
    path.batchIndex = -1;
    const batch = s.batch!;
    if (batch.holds(j, leaf, key, Math.min(path.lo, path.hi))) return batch.result(j);
  }
  return leafSearch(leaf, key, path.lo, path.hi);
}

/**
 * Lets the next descendKey of this key object reuse the descent just made (a lookup followed by a write); r: its
 * leafSearch result.
 */
export function leaveHint(s: TreeState, key: Uint8Array, leaf: Leaf, r: number): void {
  s.hintKey = key;
  s.hintLeaf = leaf;
  s.hintIdx = r;
  s.hintLo = s.path.lo;
  s.hintHi = s.path.hi;
}

/** PackedBTree.prepare: descends for each of keys[0, n), then runs their leaf searches side by side (prepare.ts). */
export function prepareBatch(s: TreeState, keys: readonly Uint8Array[], n: number): PreparedBatch {
  n = Math.min(n, PREPARE_MAX);
  let batch = s.batch;
  if (batch === null) batch = s.batch = new PreparedBatch();
  // not used by the descents that record it
  batch.n = 0;
  const path = s.path;
  for (let j = 0; j < n; j++) {
    const key = keys[j];
    batch.record(j, key, descendKey(s, key), path, s.height);
  }
  batch.searchLeaves(n, s.height);
  batch.epoch = s.epoch;
  batch.n = n;
  batch.next = 0;
  return batch;
}

/** PackedBTree.countWhile: a descent by the predicate, separators probed too; records no path. */
export function countWhile(s: TreeState, pred: KeyPredicate): number {
  let node = s.root;
  let r = 0;
  for (let d = 0; d < s.height; d++) {
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
