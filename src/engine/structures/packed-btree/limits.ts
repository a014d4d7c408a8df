/**
 * The settings of one tree: node size limits, how entries are weighed, and the LeafContext that carries them (with
 * sortLeaf's staging area) into every leaf operation of that tree.
 *
 * Leaves hold at most leafMaxEntries entries and (unless holding a single entry) leafMaxBytes bytes of entries;
 * inner nodes at most innerMax children. Below a quarter of those (leafMin*, innerMin) a node is underfull and is
 * merged with a sibling when the two fit in one node.
 */
import { EMPTY } from './bytes';

/** Node size limits; the defaults suit ~50-byte keys. Tests shrink them to exercise deep trees. */
export interface TreeLimits {
  leafMaxEntries: number;
  leafMaxBytes: number;
  innerMax: number;
}
/**
 * Derived weights: the weight of an entry computed from its value bytes buf[start, end) (entries without a value
 * weigh 0). Must return a safe integer ≥ 0 (sums are then kept by addition and subtraction, exactly).
 */
export type WeightOf = (buf: Uint8Array, start: number, end: number) => number;

/**
 * What the leaf operations of one tree need from it: its limits, its WeightOf, and sortLeaf's staging area. One per
 * tree, so that two trees never share the staging area.
 */
export class LeafContext {
  readonly leafMaxEntries: number;
  readonly leafMaxBytes: number;
  readonly innerMax: number;
  readonly leafMinEntries: number;
  readonly leafMinBytes: number;
  readonly innerMin: number;
  /** sortLeaf's staging area (grown to the largest leaf sorted, while that is at most SORT_SCRATCH_MAX bytes) */
  sortScratch: Buffer = EMPTY;
  /** derived weights (no per-entry weight arrays), or null for weights given with each write */
  constructor(
    l: TreeLimits,
    readonly weightOf: WeightOf | null,
  ) {
    if (l.leafMaxEntries < 2 || l.innerMax < 3 || l.leafMaxBytes < 16 || l.leafMaxBytes > 0xffff) {
      throw new Error('PackedBTree: invalid limits');
    }
    this.leafMaxEntries = l.leafMaxEntries;
    this.leafMaxBytes = l.leafMaxBytes;
    this.innerMax = l.innerMax;
    this.leafMinEntries = l.leafMaxEntries >> 2;
    this.leafMinBytes = l.leafMaxBytes >> 2;
    this.innerMin = l.innerMax >> 2;
  }
}

/**
 * innerMax 128: a 1M-key index then has half as many lowest inner nodes as with 64 (~170 of ~90 children), each
 * visited twice as often by random writes and so more often still in the CPU caches (measured: BENCHMARKS.md, issue
 * 4, session 8).
 */
export const DEFAULT_LIMITS: TreeLimits = { leafMaxEntries: 128, leafMaxBytes: 8192, innerMax: 128 };
