/**
 * The packed B+tree: an order-statistic B+tree of binary keys whose leaves are packed byte arrays, behind the sorted
 * sets of the engine and the S3 object index. This file is its public surface; the parts, one idea each:
 *
 * - tree.ts          PackedBTree, the surface: queries, modifications, snapshots; the invariants and costs of the whole
 * - tree-state.ts    TreeState: everything a tree remembers between calls (its nodes and scratch), kept private by it
 * - descent.ts       descents from the root: by key (lookup hint, prepared path), by rank, by predicate; prepare()
 * - mutation.ts      insert / set / update / append / delete / removeRange / clear: splits, merges, count and weight
 *                    propagation
 * - entries.ts       the entry handed out (TreeEntry), whole-tree walks: entries, the packed-leaves form, stats
 * - bulk-load.ts     TreeLoader: a tree built from ascending entries leaf by leaf (restores), front-coded keys welcome
 * - leaf.ts          the leaf layout ([varint keyLen][key][varint valTag][value]... plus an offsets array) and every
 *                    operation on one leaf
 * - inner.ts         inner nodes (separators packed for search, counts and weight sums per child) and the descent path
 * - prepare.ts       batch lookups: the leaf searches of a batch of keys side by side (PreparedBatch)
 * - cursor.ts        TreeCursor: range reads, seeks, bulk takes of keys (a leaf stretch at a time: StretchSink)
 * - key-range.ts     KeyRange: a run of keys read later (range replies), and its tree's watch, which settles it
 *                    before the tree changes
 * - bytes.ts         varints, comparisons that carry their common prefix, the wide-key test, copies and views
 * - buffer-pools.ts  size-classed free lists of leaf buffers and the slab arena for copies handed out
 * - limits.ts        node size limits, derived weights, the per-tree LeafContext
 * - invariants.ts    the invariant checker tests use
 *
 * No scratch lives at module level: a tree owns its descent path, lookup hint, structure epoch, prepared batch
 * (all in its TreeState) and sort staging area; a cursor owns its position. Only the buffer pools are shared, on
 * purpose (see buffer-pools.ts).
 */
export {
  bufferAllocations,
  lastSlabCopy,
  slabCopy,
} from './buffer-pools';
export { BulkLoadError, TreeLoader } from './bulk-load';
export { compareBytes, copyBytes, isWideKey, startsWith } from './bytes';
export { type StretchSink, TreeCursor } from './cursor';
export { KeyRange } from './key-range';
export { DEFAULT_LIMITS, type KeyClassifier, type TreeLimits, type WeightOf } from './limits';
export type { PreparedBatch } from './prepare';
export { type KeyPredicate, PackedBTree, type TreeEntry } from './tree';
