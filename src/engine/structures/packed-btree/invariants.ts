/**
 * The checker of the packed B+tree's invariants (stated in tree.ts, leaf.ts and inner.ts), for tests: walks the
 * whole tree and throws on the first violation. O(n).
 */
import { compareBytes } from './bytes';
import { Inner, type Node, sumOf } from './inner';
import { entryEndAt, flaggedKeysIn, Leaf, leafKey, leafOverflows, leafWeight } from './leaf';
import type { LeafContext } from './limits';

/** Throws when an invariant of the tree with these fields does not hold. */
export function checkTree(
  root: Node,
  height: number,
  head: Leaf,
  tail: Leaf,
  leafCount: number,
  dataBytes: number,
  ctx: LeafContext,
): void {
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`PackedBTree invariant: ${msg}`);
  };
  const leaves: Leaf[] = [];
  let bytesInLeaves = 0;
  const walk = (node: Node, depth: number, lo: Uint8Array | null, hi: Uint8Array | null): void => {
    if (depth === height) {
      if (!(node instanceof Leaf)) fail('inner node at leaf depth');
      leaves.push(node);
      bytesInLeaves += node.used;
      if (node.count === 0 && node !== root) fail('empty non-root leaf');
      if (leafOverflows(node, ctx)) fail(`leaf overflow count=${node.count} used=${node.used}`);
      if (node.offs.length < node.count) fail('offsets too short');
      if (node.used > node.buf.length) fail('used beyond buffer');
      // the entries' bytes tile [0, used): in key order unless the leaf is unsorted
      const spans: [number, number][] = [];
      let prevKey: Buffer | null = null;
      let w = 0;
      for (let i = 0; i < node.count; i++) {
        const key = leafKey(node, i);
        spans.push([node.offs[i], entryEndAt(node.buf, node.offs[i])]);
        if (prevKey !== null && Buffer.compare(prevKey, key) >= 0) fail('keys not ascending in leaf');
        if (lo !== null && Buffer.compare(key, lo) < 0) fail('key below separator');
        if (hi !== null && Buffer.compare(key, hi) >= 0) fail('key not below next separator');
        prevKey = key;
        w += leafWeight(node, i, ctx.weightOf);
      }
      if (!node.unsorted) {
        for (let i = 1; i < spans.length; i++) {
          if (spans[i]![0] !== spans[i - 1]![1]) fail(`offset ${i} is ${spans[i]![0]}, expected ${spans[i - 1]![1]}`);
        }
      }
      spans.sort((x, y) => x[0] - y[0]);
      let p = 0;
      for (const [a, b] of spans) {
        if (a !== p) fail(`entry bytes at ${a}, expected ${p}`);
        p = b;
      }
      if (p !== node.used) fail('used does not match entries');
      const flagged = ctx.flagKey === null ? 0 : flaggedKeysIn(node, 0, node.count, ctx.flagKey);
      if (node.flaggedKeys !== flagged) fail(`flaggedKeys ${node.flaggedKeys}, expected ${flagged}`);
      if (!Object.is(w, node.weight) && !(Number.isNaN(w) && Number.isNaN(node.weight))) fail('leaf weight sum');
      if (ctx.weightOf !== null && node.weights !== null) fail('weights array in a tree of derived weights');
      if (node.weights !== null && !Array.from(node.weights.subarray(0, node.count)).some((x) => x !== 0)) {
        fail('all-zero weights array kept');
      }
      return;
    }
    if (!(node instanceof Inner)) fail('leaf above leaf depth');
    const len = node.children.length;
    if (len === 0) fail('inner node without children');
    if (node === root && len < 2) fail('root with a single child');
    if (len > ctx.innerMax) fail('inner overflow');
    if (node.keys.length !== len || node.counts.length !== len || node.weights.length !== len) fail('array sizes');
    if (!node.kdirty) {
      if (node.kn !== len || node.koffs.length < len + 1) fail('packed separators: size');
      for (let i = 1; i < len; i++) {
        const k = node.keys[i];
        if (compareBytes(k, node.kbuf, node.koffs[i], node.koffs[i + 1]) !== 0) fail('packed separators: stale');
      }
    }
    let c = 0;
    for (let i = 0; i < len; i++) {
      const child = node.children[i];
      if (node.counts[i] !== child.count) fail('child count mismatch');
      if (!Object.is(node.weights[i], child.weight)) fail('child weight mismatch');
      c += node.counts[i];
      if (i >= 2 && Buffer.compare(node.keys[i - 1], node.keys[i]) >= 0) fail('separators not ascending');
      walk(child, depth + 1, i === 0 ? lo : node.keys[i], i + 1 < len ? node.keys[i + 1] : hi);
    }
    if (c !== node.count) fail('inner count sum');
    if (!Object.is(sumOf(node.weights, len), node.weight)) fail('inner weight sum');
  };
  walk(root, 0, null, null);
  if (leaves[0] !== head) fail('head');
  if (leaves[leaves.length - 1] !== tail) fail('tail');
  for (let i = 0; i < leaves.length; i++) {
    if (leaves[i].prev !== (i > 0 ? leaves[i - 1] : null)) fail('prev link');
    if (leaves[i].next !== (i + 1 < leaves.length ? leaves[i + 1] : null)) fail('next link');
    if (i > 0) {
      const a = leafKey(leaves[i - 1], leaves[i - 1].count - 1);
      const b = leafKey(leaves[i], 0);
      if (Buffer.compare(a, b) >= 0) fail('keys not ascending across leaves');
    }
  }
  if (leaves.length !== leafCount) fail('leaf count');
  if (bytesInLeaves !== dataBytes) fail('data bytes');
}
