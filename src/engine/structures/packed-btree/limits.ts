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
 * A key classifier: true for the keys buf[start, end) that it flags. A tree given one counts its flagged keys per leaf
 * (Leaf.flaggedKeys), so that a reader learns with one check per leaf that none of the leaf's keys is flagged
 * (TreeCursor.stablePlain). What a flag means is the classifier's owner's business (the S3 index: a key JSON or XML
 * text would have to escape, or not ASCII; see src/index/plain-keys.ts). Must be a pure function of the bytes.
 */
export type KeyClassifier = (buf: Uint8Array, start: number, end: number) => boolean;

/**
 * What the leaf operations of one tree need from it: its limits, its WeightOf, its KeyClassifier, sortLeaf's staging
 * area and the key spans of range reads. One per tree, so that two trees never share a scratch area.
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
  /**
   * TreeCursor.takeStretches' list of the (start, length) of each key of one leaf stretch (2 × leafMaxEntries + 2
   * numbers, made on the first range read): filled and handed to a StretchSink, which reads it before it returns.
   */
  spans: Int32Array | null = null;
  constructor(
    l: TreeLimits,
    /** derived weights (no per-entry weight arrays), or null for weights given with each write */
    readonly weightOf: WeightOf | null,
    /** the keys whose count each leaf keeps (Leaf.flaggedKeys), or null for none counted */
    readonly flagKey: KeyClassifier | null = null,
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
 * innerMax 128: a large index then has half as many lowest inner nodes as with 64, each visited twice as often by
 * random writes and so more often still in the CPU caches (BENCHMARKS.md, issue 4, session 8).
 */
export const DEFAULT_LIMITS: TreeLimits = { leafMaxEntries: 128, leafMaxBytes: 8192, innerMax: 128 };
