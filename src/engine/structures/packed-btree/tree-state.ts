/**
 * TreeState — everything a PackedBTree remembers between calls: its nodes (root, height, the leaf chain from head to
 * tail and their counts), the path of its last descent (Path), the descent a lookup leaves for the write of the same
 * key object (hint*), the epoch of its inner structure, its prepared batch (prepare.ts), the key ranges it watches
 * (key-range.ts) and its LeafContext (limits, KeyClassifier, sortLeaf's staging area, the key spans of range reads).
 *
 * The tree's internals, as the functions that work on them see them: descents (descent.ts), modifications
 * (mutation.ts), whole-tree walks (entries.ts) and the watch of key ranges (key-range.ts) take a TreeState. A tree
 * makes its own and never hands it out (PackedBTree keeps it private), so two trees share nothing but the buffer
 * pools (buffer-pools.ts); cursors keep their own position (cursor.ts).
 */
import { type Node, Path } from './inner';
import type { KeyRange } from './key-range';
import { EMPTY_LEAF, Leaf } from './leaf';
import type { LeafContext } from './limits';
import type { PreparedBatch } from './prepare';

export class TreeState {
  root: Node;
  /** inner levels above the leaves (0: the root is the only leaf) */
  height = 0;
  /** the first and last leaves of the chain (the root, when it is the only leaf) */
  head: Leaf;
  tail: Leaf;
  leafCount = 1;
  /** bytes of entries in the leaves (Leaf.used summed) */
  dataBytes = 0;
  /** where the last descent went (modifications update the nodes on it) */
  readonly path = new Path();
  /** the index in its leaf of the rank descendRank was last given */
  rankInLeaf = 0;
  /**
   * Descent reuse: has(key) and getValue(key) leave their descent (its path in `path`, its leaf and search result
   * here) for the next descendKey of the same key object (a read-modify-write, e.g. ZADD's score check then insert,
   * costs one descent). Every other descent of this tree and clear() drop it, and every modification starts with a
   * descent, so the recorded path is never stale when reused.
   */
  hintKey: Uint8Array | null = null;
  hintLeaf: Leaf = EMPTY_LEAF;
  /** leafSearch's result for the hinted key in hintLeaf */
  hintIdx = 0;
  hintLo = 0;
  hintHi = 0;
  /**
   * Bumped whenever the inner structure changes (a node split, merged or removed, the root replaced): a path recorded
   * by prepare() is valid while it is unchanged. Leaf contents may change meanwhile: a key's leaf and the bounds of
   * that leaf (its separators) stay the same, and the recorded position in it is checked (PreparedBatch.holds).
   */
  epoch = 0;
  /** the lookups prepare() recorded (null before the first prepare) */
  batch: PreparedBatch | null = null;
  /**
   * The key ranges handed out and still to be read (keyRange): settled before the next modification, so that they
   * read the tree as it was (key-range.ts). Made on the first keyRange; at most WATCH_MAX ranges.
   */
  watched: KeyRange[] | null = null;

  constructor(readonly ctx: LeafContext) {
    const leaf = new Leaf();
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
  }
}
