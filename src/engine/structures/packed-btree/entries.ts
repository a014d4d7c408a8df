/**
 * Entries handed out, and walks of a whole tree (its TreeState, tree-state.ts) along the leaf chain: every entry in
 * order, the packed-leaves snapshot form and its reload, and the shape and storage figures. Every key and value
 * handed out is a fresh copy, never a view on leaf storage (which is modified in place).
 */
import { readVarint, varintEnd } from './bytes';
import type { Inner, Node } from './inner';
import { bytesInOrder, type Leaf, leafEntry } from './leaf';
import { appendKey } from './mutation';
import type { TreeState } from './tree-state';

export interface TreeEntry {
  key: Buffer;
  value: Buffer | undefined;
  weight: number;
}

/** Rough V8 cost of a leaf's objects (Leaf, Buffer, ArrayBuffer, offsets array, separator in the parent). */
const LEAF_OVERHEAD_BYTES = 400;

/** PackedBTree.entries. */
export function* entriesOf(s: TreeState): IterableIterator<TreeEntry> {
  const weightOf = s.ctx.weightOf;
  for (let leaf: Leaf | null = s.head; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.count; i++) yield leafEntry(leaf, i, weightOf);
  }
}

/** PackedBTree.packedLeaves. */
export function* packedLeavesOf(
  s: TreeState,
): IterableIterator<{ entries: Buffer; count: number; weights: Float64Array | null }> {
  for (let leaf: Leaf | null = s.head; leaf !== null; leaf = leaf.next) {
    if (leaf.count === 0) continue;
    yield {
      entries: bytesInOrder(leaf),
      count: leaf.count,
      weights: leaf.weights === null ? null : Float64Array.from(leaf.weights.subarray(0, leaf.count)),
    };
  }
}

/** PackedBTree.fromPackedLeaves: appends the leaves' entries to an empty tree (throws when they are malformed). */
export function appendPackedLeaves(
  s: TreeState,
  leaves: Iterable<{ entries: Uint8Array; count: number; weights: Float64Array | null }>,
): void {
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
      appendKey(s, key, value, l.weights === null ? 0 : l.weights[i]);
    }
    if (p !== buf.length) malformed();
  }
}

/** PackedBTree.byteSize: approximate memory footprint in bytes. */
export function byteSizeOf(s: TreeState): number {
  return s.dataBytes + s.root.count * 2 + s.leafCount * LEAF_OVERHEAD_BYTES;
}

/** PackedBTree.stats. */
export function statsOf(s: TreeState): {
  height: number;
  leaves: number;
  innerNodes: number;
  usedBytes: number;
  capacityBytes: number;
} {
  let capacityBytes = 0;
  for (let leaf: Leaf | null = s.head; leaf !== null; leaf = leaf.next) {
    capacityBytes += leaf.buf.length + leaf.offs.byteLength + (leaf.weights === null ? 0 : leaf.weights.byteLength);
  }
  let innerNodes = 0;
  const count = (node: Node, h: number): void => {
    if (h === 0) return;
    innerNodes++;
    for (const c of (node as Inner).children) count(c, h - 1);
  };
  count(s.root, s.height);
  return { height: s.height, leaves: s.leafCount, innerNodes, usedBytes: s.dataBytes, capacityBytes };
}
