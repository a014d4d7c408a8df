/**
 * Modifications of a tree (its TreeState, tree-state.ts): insert / set / update (upsert), append, delete, removal of
 * a rank range and clear; and what keeps the tree's shape after them: the counts and weight sums on the path
 * (propagate), leaf and inner splits after an insert, and after a removal the removal of empty nodes, merges of
 * underfull ones and the collapse of a root with one child.
 *
 * Each starts with a descent (descent.ts), whose recorded path it then updates, and settles the key ranges the tree
 * watches first (key-range.ts). Splits, merges and removals of nodes bump the structure epoch (prepare.ts).
 * Cost: see tree.ts.
 */
import { GROW_NORMAL, GROW_TAIL } from './buffer-pools';
import { EMPTY } from './bytes';
import { descendKey, descendRank, descendRightmost, greaterThanMax, keyIndex } from './descent';
import type { TreeEntry } from './entries';
import { adjustedSum, Inner, type Node, nodeCount, packInserted, removeChild, sumOf, tryMergeInner } from './inner';
import { settleWatched } from './key-range';
import {
  insertEntry,
  Leaf,
  leafEntry,
  leafOverflows,
  leafUnderflows,
  mergeLeafInto,
  removeEntries,
  replaceEntry,
  separatorOf,
  splitLeaf,
} from './leaf';
import type { TreeState } from './tree-state';

/** upsert's modes: insert when absent only, insert or replace, replace when present only */
export const MODE_INSERT = 0;
export const MODE_SET = 1;
export const MODE_UPDATE = 2;

/** PackedBTree.insert / set / update (see MODE_*): whether the key was new (MODE_UPDATE: whether it was there). */
export function upsert(
  s: TreeState,
  key: Uint8Array,
  value: Uint8Array | undefined,
  weight: number,
  mode: number,
): boolean {
  if (s.watched !== null && s.watched.length > 0) settleWatched(s);
  let leaf: Leaf;
  let r: number;
  if (s.hintKey === key) {
    // a lookup of this very key object just searched this leaf (a key above the maximum landed at the end of
    // the rightmost leaf, where the append path below would put it too)
    s.hintKey = null;
    leaf = s.hintLeaf;
    r = s.hintIdx;
  } else {
    if (greaterThanMax(s, key)) {
      if (mode === MODE_UPDATE) return false;
      leaf = descendRightmost(s);
      insertAt(s, leaf, leaf.count, key, value, weight);
      return true;
    }
    leaf = descendKey(s, key);
    r = keyIndex(s, leaf, key);
  }
  if (r >= 0) {
    if (mode === MODE_INSERT) return false;
    const oldWeight = leaf.weight;
    const oldUsed = leaf.used;
    replaceEntry(leaf, r, key, value, weight, s.ctx);
    s.dataBytes += leaf.used - oldUsed;
    propagate(s, leaf, 0, oldWeight);
    if (leafOverflows(leaf, s.ctx)) splitAfterInsert(s, leaf, false);
    return mode === MODE_UPDATE;
  }
  if (mode === MODE_UPDATE) return false;
  insertAt(s, leaf, ~r, key, value, weight);
  return true;
}

/** PackedBTree.append: a key greater than every key in the tree (throws otherwise). */
export function appendKey(s: TreeState, key: Uint8Array, value: Uint8Array | undefined, weight: number): void {
  if (s.watched !== null && s.watched.length > 0) settleWatched(s);
  if (s.root.count > 0 && !greaterThanMax(s, key)) throw new Error('PackedBTree.append: keys must be ascending');
  const leaf = descendRightmost(s);
  insertAt(s, leaf, leaf.count, key, value, weight);
}

function insertAt(
  s: TreeState,
  leaf: Leaf,
  i: number,
  key: Uint8Array,
  value: Uint8Array | undefined,
  weight: number,
): void {
  const oldWeight = leaf.weight;
  const oldUsed = leaf.used;
  const tailAppend = i === leaf.count && leaf.next === null;
  insertEntry(leaf, i, key, value, weight, tailAppend ? GROW_TAIL : GROW_NORMAL, s.ctx);
  s.dataBytes += leaf.used - oldUsed;
  propagate(s, leaf, 1, oldWeight);
  if (leafOverflows(leaf, s.ctx)) splitAfterInsert(s, leaf, tailAppend);
}

/** PackedBTree.delete: the removed entry, or undefined when absent. */
export function deleteKey(s: TreeState, key: Uint8Array): TreeEntry | undefined {
  if (s.watched !== null && s.watched.length > 0) settleWatched(s);
  const leaf = descendKey(s, key);
  const r = keyIndex(s, leaf, key);
  if (r < 0) return undefined;
  const entry = leafEntry(leaf, r, s.ctx.weightOf);
  removeFromLeaf(s, leaf, r, r + 1);
  return entry;
}

/** PackedBTree.removeRange: removes ranks [start, end); returns how many entries were removed. */
export function removeRanks(s: TreeState, start: number, end: number): number {
  if (s.watched !== null && s.watched.length > 0) settleWatched(s);
  if (start < 0) start = 0;
  if (end > s.root.count) end = s.root.count;
  let left = end - start;
  const removed = Math.max(left, 0);
  while (left > 0) {
    const leaf = descendRank(s, start);
    const i = s.rankInLeaf;
    const k = Math.min(left, leaf.count - i);
    removeFromLeaf(s, leaf, i, i + k);
    left -= k;
  }
  return removed;
}

/** PackedBTree.clear: one empty leaf. */
export function clearTree(s: TreeState): void {
  if (s.watched !== null && s.watched.length > 0) settleWatched(s);
  s.hintKey = null;
  s.epoch++;
  const leaf = new Leaf();
  s.root = leaf;
  s.head = leaf;
  s.tail = leaf;
  s.height = 0;
  s.leafCount = 1;
  s.dataBytes = 0;
}

function removeFromLeaf(s: TreeState, leaf: Leaf, from: number, to: number): void {
  const oldWeight = leaf.weight;
  const oldUsed = leaf.used;
  removeEntries(leaf, from, to, s.ctx);
  s.dataBytes += leaf.used - oldUsed;
  propagate(s, leaf, from - to, oldWeight);
  fixUnderflow(s, leaf);
}

/** Updates counts/weights on the recorded path after `leaf` changed by countDelta entries. */
function propagate(s: TreeState, leaf: Leaf, countDelta: number, oldWeight: number): void {
  const weightChanged = !Object.is(leaf.weight, oldWeight);
  const nodes = s.path.nodes;
  const idx = s.path.idx;
  let child: Node = leaf;
  for (let d = s.height - 1; d >= 0; d--) {
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

function splitAfterInsert(s: TreeState, leaf: Leaf, appendMode: boolean): void {
  const parts: Leaf[] = [];
  splitLeaf(leaf, appendMode, parts, s.ctx);
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
  if (last === null) s.tail = prev;
  else last.prev = prev;
  s.leafCount += parts.length;
  insertSiblings(s, s.height - 1, leaf, parts, seps, appendMode);
}

/**
 * Inserts `nodes` (with separators `seps`) right after `orig`, the child taken at depth d of the recorded path,
 * whose content was just split; splits ancestors as needed.
 */
function insertSiblings(
  s: TreeState,
  d: number,
  orig: Node,
  nodes: Node[],
  seps: Uint8Array[],
  appendMode: boolean,
): void {
  s.epoch++;
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
    s.root = root;
    s.height++;
    return;
  }
  const p = s.path.nodes[d];
  const i = s.path.idx[d];
  p.counts[i] = orig.count;
  p.weights[i] = orig.weight;
  p.keys.splice(i + 1, 0, ...seps);
  packInserted(p, i + 1, seps);
  p.children.splice(i + 1, 0, ...nodes);
  p.counts.splice(i + 1, 0, ...nodes.map(nodeCount));
  p.weights.splice(i + 1, 0, ...nodes.map((c) => c.weight));
  if (p.children.length <= s.ctx.innerMax) return;
  // At most a few children were added, so one split suffices: halves normally, a full left node when appending
  // at the right edge (sequential loads then leave full nodes behind).
  const len = p.children.length;
  const at = appendMode && i + nodes.length === len - 1 ? s.ctx.innerMax : len >> 1;
  const right = new Inner(p.keys.splice(at), p.children.splice(at), p.counts.splice(at), p.weights.splice(at));
  p.kdirty = true;
  const sep = right.keys[0];
  right.keys[0] = EMPTY;
  right.count = sumOf(right.counts, right.counts.length);
  right.weight = sumOf(right.weights, right.weights.length);
  p.count = sumOf(p.counts, p.counts.length);
  p.weight = sumOf(p.weights, p.weights.length);
  insertSiblings(s, d - 1, p, [right], [sep], appendMode);
}

/** After entries were removed from `leaf` (path recorded): drop empty nodes, merge underfull ones. */
function fixUnderflow(s: TreeState, leaf: Leaf): void {
  const nodes = s.path.nodes;
  const idx = s.path.idx;
  let node: Node = leaf;
  for (let d = s.height - 1; d >= 0; d--) {
    const p = nodes[d];
    const i = idx[d];
    if (node.count === 0) {
      if (node instanceof Leaf) unlinkLeaf(s, node);
      removeChild(p, i);
    } else if (node instanceof Leaf) {
      if (!leafUnderflows(node, s.ctx)) break;
      if (!tryMergeLeaf(s, p, i)) break;
    } else {
      if (node.children.length >= s.ctx.innerMin) break;
      if (!tryMergeInner(p, i, s.ctx.innerMax)) break;
    }
    s.epoch++;
    node = p;
  }
  while (s.height > 0) {
    const r = s.root as Inner;
    if (r.children.length > 1) break;
    if (r.children.length === 0) {
      clearTree(s);
      return;
    }
    s.root = r.children[0];
    s.height--;
    s.epoch++;
  }
}

function unlinkLeaf(s: TreeState, leaf: Leaf): void {
  if (leaf.prev === null) s.head = leaf.next ?? leaf;
  else leaf.prev.next = leaf.next;
  if (leaf.next === null) s.tail = leaf.prev ?? leaf;
  else leaf.next.prev = leaf.prev;
  leaf.prev = null;
  leaf.next = null;
  s.leafCount--;
}

function tryMergeLeaf(s: TreeState, p: Inner, i: number): boolean {
  const li = i + 1 < p.children.length ? i : i - 1;
  if (li < 0) return false;
  const left = p.children[li] as Leaf;
  const right = p.children[li + 1] as Leaf;
  if (left.count + right.count > s.ctx.leafMaxEntries || left.used + right.used > s.ctx.leafMaxBytes) {
    return false;
  }
  mergeLeafInto(left, right, s.ctx);
  unlinkLeaf(s, right);
  p.counts[li] = left.count;
  p.weights[li] = left.weight;
  removeChild(p, li + 1);
  return true;
}
