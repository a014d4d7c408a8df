/**
 * Leaves of the packed B+tree: their layout and every operation on one leaf (search, read, insert, replace, remove,
 * sort, split, merge). The tree (tree.ts) decides which leaf; these functions change only the leaf they are given.
 *
 * Representation
 * - A leaf holds up to leafMaxEntries (128) entries and (unless holding a single entry) at most leafMaxBytes (8 KiB)
 *   of entry data, packed into ONE Buffer:  [varint keyLen][key][varint valTag][value] ...  where valTag = 0 means
 *   "no value" and valTag = len + 1 means a value of `len` bytes. A Uint16Array (Uint32Array when the leaf exceeds
 *   64 KiB) holds the start offset of every entry, so a leaf is searched by binary search without any per-entry JS
 *   object.
 * - The offsets are in key order; the entries' bytes are too, except in a leaf marked `unsorted`: an insert writes the
 *   new entry after the others and shifts only the offsets (a memmove of the leaf's tail for every insert into a
 *   random leaf, far beyond the CPU caches, cost more than putting the bytes back in order once, at the leaf's next
 *   split or removal: sortLeaf). Reads go through the offsets, or copy the whole leaf (stretchStart).
 * - A per-entry weight array exists only when some entry of the leaf has a non-zero weight: a Uint32Array while every
 *   weight of the leaf is an integer in [0, 2^32) (object sizes), else a Float64Array. A tree built with a WeightOf
 *   function has none: each entry's weight is derived from its value (the S3 index: the object size in its
 *   metadata), which saves the array's memory and the cache misses of touching it on every write.
 * - Leaves are doubly linked (prev/next) for range scans in both directions. Their buffers come from the size-classed
 *   free lists of buffer-pools.ts and keep some slack, so most inserts write in place.
 *
 * Invariants (checked by invariants.ts)
 * - Keys are unique and strictly ascending (memcmp order) along the offsets; the entries' bytes tile [0, used), in
 *   key order unless `unsorted`.
 * - count ≤ leafMaxEntries and used ≤ leafMaxBytes unless count is 1; no leaf is empty except an empty root.
 * - `weight` is the sum of the entries' weights; a weights array is never all zeros; flaggedKeys counts the keys that
 *   the tree's KeyClassifier flags (0 in a tree without one).
 *
 * Cost (L = entries in the leaf, B = its bytes)
 * - leafSearch: O(log L) key comparisons, each over the bytes after the prefix known to be shared.
 * - insertEntry: O(L) (a shift of the offsets), plus O(B) when the buffer must grow (a copy into a bigger one).
 * - replaceEntry, removeEntries: O(B) (a memmove of the bytes after the entry; O(L) offsets fixed), plus a sortLeaf
 *   when removing more than one entry of an unsorted leaf.
 * - sortLeaf, splitLeaf, mergeLeafInto, copyLeafRange: O(B + L).
 */

import {
  BUF_CLASSES,
  COUNT_CLASSES,
  classCapacityFor,
  GROW_NORMAL,
  releaseArray,
  releaseLeafBuf,
  takeLeafBuf,
  takeOffs,
  takeWeights,
} from './buffer-pools';
import { compareFrom, copyBytes, EMPTY, readVarint, varintEnd, varintSize, writeVarint } from './bytes';
import type { TreeEntry } from './entries';
import type { KeyClassifier, LeafContext, WeightOf } from './limits';

const NO_OFFSETS = new Uint16Array(0);

export class Leaf {
  buf: Buffer = EMPTY;
  offs: Uint16Array | Uint32Array = NO_OFFSETS;
  count = 0;
  used = 0;
  weights: Float64Array | Uint32Array | null = null;
  weight = 0;
  /**
   * How many keys the tree's KeyClassifier flags (limits.ts; always 0 without one). 0 in a tree with a classifier:
   * a reader may treat the whole leaf alike, with one check instead of one per key (TreeCursor.stablePlain).
   */
  flaggedKeys = 0;
  /**
   * The entries' bytes are not in key order: an insert before the last entry appends its bytes and only shifts the
   * offsets (insertEntry). Whatever needs the bytes in order (removals, splits, snapshots) sorts them first
   * (sortLeaf); reads that copy a stretch of entries copy the whole leaf instead (stretchStart).
   */
  unsorted = false;
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

/** a placeholder where a slot must hold some leaf */
export const EMPTY_LEAF = new Leaf();

// ---- entry layout ------------------------------------------------------------------------------------------------

function entrySize(key: Uint8Array, value: Uint8Array | undefined): number {
  const vtag = value === undefined ? 0 : value.length + 1;
  return varintSize(key.length) + key.length + varintSize(vtag) + (value === undefined ? 0 : value.length);
}

function writeEntry(dst: Buffer, p: number, key: Uint8Array, value: Uint8Array | undefined): number {
  p = writeVarint(dst, p, key.length);
  const kl = key.length;
  if (kl <= 64) {
    for (let i = 0; i < kl; i++) dst[p + i] = key[i];
  } else {
    dst.set(key, p);
  }
  p += kl;
  if (value === undefined) {
    dst[p++] = 0;
  } else {
    p = writeVarint(dst, p, value.length + 1);
    dst.set(value, p);
    p += value.length;
  }
  return p;
}

/** Where the key of the entry whose bytes start at p begins (after its length). */
export function keyStartAt(buf: Uint8Array, p: number): number {
  return buf[p] < 0x80 ? p + 1 : varintEnd(buf, p);
}

/** Where the key of the entry whose bytes start at p ends (its value tag follows). */
export function keyEndAt(buf: Uint8Array, p: number): number {
  const kl = buf[p];
  return kl < 0x80 ? p + 1 + kl : varintEnd(buf, p) + readVarint(buf, p);
}

function entryStart(leaf: Leaf, i: number): number {
  return i < leaf.count ? leaf.offs[i] : leaf.used;
}

/** The end of the entry whose bytes start at p. */
export function entryEndAt(buf: Uint8Array, p: number): number {
  const ke = keyEndAt(buf, p);
  const tag = buf[ke];
  if (tag < 0x80) return tag === 0 ? ke + 1 : ke + tag;
  return varintEnd(buf, ke) + readVarint(buf, ke) - 1;
}

/**
 * Where a copy of entries [first, first + k) of a leaf starts (stretchEnd: where it ends): their own bytes in a
 * sorted leaf, all of the leaf's bytes in an unsorted one (offsets into the copy are then the entries' offsets).
 */
export function stretchStart(leaf: Leaf, first: number): number {
  return leaf.unsorted ? 0 : leaf.offs[first];
}

export function stretchEnd(leaf: Leaf, first: number, k: number): number {
  return leaf.unsorted ? leaf.used : entryStart(leaf, first + k);
}

// ---- key order of the bytes (unsorted leaves) --------------------------------------------------------------------

const SORT_SCRATCH_MAX = 64 * 1024;

/**
 * Puts an unsorted leaf's entry bytes back in key order (offsets updated; count, keys and values unchanged). The
 * bytes in offset order are gathered in runs (entries already adjacent are copied together): after m appends, at
 * most 2m + 1 runs.
 */
function sortLeaf(leaf: Leaf, ctx: LeafContext): void {
  const used = leaf.used;
  let out = ctx.sortScratch;
  if (out.length < used) {
    out = Buffer.allocUnsafeSlow(used);
    if (used <= SORT_SCRATCH_MAX) ctx.sortScratch = out;
  }
  gatherInOrder(leaf, out, true);
  out.copy(leaf.buf, 0, 0, used);
  leaf.unsorted = false;
}

/** A copy of a leaf's entry bytes in key order (the leaf unchanged). */
export function bytesInOrder(leaf: Leaf): Buffer {
  if (!leaf.unsorted) return copyBytes(leaf.buf, 0, leaf.used);
  const out = Buffer.allocUnsafe(leaf.used);
  gatherInOrder(leaf, out, false);
  return out;
}

/** Writes a leaf's entry bytes to out in key order; moves the offsets to where the entries are in out when asked. */
function gatherInOrder(leaf: Leaf, out: Buffer, moveOffsets: boolean): void {
  const buf = leaf.buf;
  const offs = leaf.offs;
  const n = leaf.count;
  let w = 0;
  let runStart = 0;
  let runEnd = -1;
  for (let i = 0; i < n; i++) {
    const p = offs[i];
    if (p !== runEnd) {
      if (runEnd >= 0) w = copyRun(buf, runStart, runEnd, out, w);
      runStart = p;
    }
    runEnd = entryEndAt(buf, p);
    if (moveOffsets) offs[i] = w + p - runStart;
  }
  if (runEnd >= 0) copyRun(buf, runStart, runEnd, out, w);
}

/** Copies src[s, e) to dst at w; returns the end (short runs byte by byte: a native copy costs more). */
function copyRun(src: Uint8Array, s: number, e: number, dst: Buffer, w: number): number {
  if (e - s > 24) {
    dst.set(src.subarray(s, e), w);
    return w + e - s;
  }
  for (let i = s; i < e; i++) dst[w++] = src[i];
  return w;
}

// ---- reads -------------------------------------------------------------------------------------------------------

export function leafKey(leaf: Leaf, i: number): Buffer {
  const buf = leaf.buf;
  const p = leaf.offs[i];
  return copyBytes(buf, keyStartAt(buf, p), keyEndAt(buf, p));
}

/** How many of the keys [from, to) of a leaf flagKey flags. */
export function flaggedKeysIn(leaf: Leaf, from: number, to: number, flagKey: KeyClassifier): number {
  const buf = leaf.buf;
  let n = 0;
  for (let i = from; i < to; i++) {
    const p = leaf.offs[i];
    if (flagKey(buf, keyStartAt(buf, p), keyEndAt(buf, p))) n++;
  }
  return n;
}

/** A copy of the value of the entry whose key ends at ke, from its byte `skip` on (undefined: none, or shorter). */
export function valueAt(buf: Uint8Array, ke: number, skip: number): Buffer | undefined {
  let tag = buf[ke];
  let vs = ke + 1;
  if (tag >= 0x80) {
    tag = readVarint(buf, ke);
    vs = varintEnd(buf, ke);
  }
  return tag - 1 < skip ? undefined : copyBytes(buf, vs + skip, vs + tag - 1);
}

/**
 * A copy of the leaf's first key for use as a separator: a plain Uint8Array, whose bytes V8 keeps on its own heap
 * next to the object when short (fewer cache misses on descent) and which never pins a slab of Node's Buffer pool.
 */
export function separatorOf(leaf: Leaf): Uint8Array {
  const buf = leaf.buf;
  const p = leaf.offs[0];
  const ks = keyStartAt(buf, p);
  const ke = keyEndAt(buf, p);
  const k = new Uint8Array(ke - ks);
  for (let i = ks; i < ke; i++) k[i - ks] = buf[i];
  return k;
}

export function leafWeight(leaf: Leaf, i: number, weightOf: WeightOf | null): number {
  if (weightOf === null) return leaf.weights === null ? 0 : leaf.weights[i];
  const buf = leaf.buf;
  const ke = keyEndAt(buf, leaf.offs[i]);
  let tag = buf[ke];
  let vs = ke + 1;
  if (tag >= 0x80) {
    tag = readVarint(buf, ke);
    vs = varintEnd(buf, ke);
  }
  return tag === 0 ? 0 : weightOf(buf, vs, vs + tag - 1);
}

/** Entry i of a leaf, its key and value copied out. */
export function leafEntry(leaf: Leaf, i: number, weightOf: WeightOf | null): TreeEntry {
  const buf = leaf.buf;
  const p = leaf.offs[i];
  const ke = keyEndAt(buf, p);
  const key = copyBytes(buf, keyStartAt(buf, p), ke);
  const value = valueAt(buf, ke, 0);
  return { key, value, weight: leafWeight(leaf, i, weightOf) };
}

/** Derived weights: the sum over entries [from, to) of a leaf. */
export function derivedSum(leaf: Leaf, from: number, to: number, weightOf: WeightOf | null): number {
  let s = 0;
  for (let i = from; i < to; i++) s += leafWeight(leaf, i, weightOf);
  return s;
}

/** The weight a write gives an entry: derived from the value, or the one given. */
function weightToWrite(value: Uint8Array | undefined, weight: number, ctx: LeafContext): number {
  const weightOf = ctx.weightOf;
  if (weightOf === null) return weight;
  return value === undefined ? 0 : weightOf(value, 0, value.length);
}

/**
 * Searches entries [lo, leaf.count) for key: its index when found, else ~(the index of the first entry > key), a
 * negative number. `llcp`/`rlcp`: bytes the key is known to share with a key ≤ every entry searched and with a key ≥
 * every entry searched (0 when unknown).
 */
export function leafSearch(leaf: Leaf, key: Uint8Array, llcp = 0, rlcp = 0, lo = 0): number {
  const buf = leaf.buf;
  const offs = leaf.offs;
  let hi = leaf.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = offs[mid];
    let kl = buf[p];
    let s = p + 1;
    if (kl >= 0x80) {
      kl = readVarint(buf, p);
      s = varintEnd(buf, p);
    }
    const c = compareFrom(key, buf, s, s + kl, Math.min(llcp, rlcp));
    if (c > 0) {
      lo = mid + 1;
      llcp = c - 1;
    } else if (c < 0) {
      hi = mid;
      rlcp = -1 - c;
    } else {
      return mid;
    }
  }
  return ~lo;
}

// ---- capacity (slack, buffers from the free lists) ---------------------------------------------------------------

/** Makes room for needBytes of entry data and needCount entries (and per-entry weights when needWeights). */
function ensureCapacity(
  leaf: Leaf,
  needBytes: number,
  needCount: number,
  needWeights: boolean,
  growth: number,
  ctx: LeafContext,
  wideWeights = false,
): void {
  if (needBytes > leaf.buf.length) {
    const buf = takeLeafBuf(classCapacityFor(BUF_CLASSES, needBytes, ctx.leafMaxBytes, growth, 256));
    leaf.buf.copy(buf, 0, 0, leaf.used);
    releaseLeafBuf(leaf.buf);
    leaf.buf = buf;
  }
  const wide = leaf.buf.length > 0x10000;
  if (needCount > leaf.offs.length || (wide && !(leaf.offs instanceof Uint32Array))) {
    const cap = classCapacityFor(COUNT_CLASSES, needCount, ctx.leafMaxEntries, growth, 8);
    const offs = wide ? new Uint32Array(cap) : takeOffs(cap);
    offs.set(leaf.offs.subarray(0, leaf.count));
    releaseArray(leaf.offs);
    leaf.offs = offs;
  }
  const old = leaf.weights;
  const wideW = wideWeights || old instanceof Float64Array;
  if (needWeights && (old === null || needCount > old.length || (wideW && !(old instanceof Float64Array)))) {
    const n = Math.max(needCount, leaf.offs.length);
    const w = wideW ? new Float64Array(n) : takeWeights(n);
    if (old !== null) w.set(old.subarray(0, leaf.count));
    releaseArray(old);
    leaf.weights = w;
  }
}

/** Releases capacity well beyond the contents (after removals or a split); all of it when exact. */
function shrinkToFit(leaf: Leaf, ctx: LeafContext, exact = false): void {
  const n = leaf.count;
  if (leaf.buf.length > leaf.used + (leaf.used >> 2) + 64 || (exact && leaf.buf.length > leaf.used)) {
    const buf = takeLeafBuf(
      exact ? leaf.used : classCapacityFor(BUF_CLASSES, leaf.used, ctx.leafMaxBytes, GROW_NORMAL, 0),
    );
    leaf.buf.copy(buf, 0, 0, leaf.used);
    releaseLeafBuf(leaf.buf);
    leaf.buf = buf;
  }
  const wide = leaf.buf.length > 0x10000;
  if (
    leaf.offs.length > n + (n >> 2) + 8 ||
    (exact && leaf.offs.length > n) ||
    (!wide && leaf.offs instanceof Uint32Array)
  ) {
    const cap = exact ? n : classCapacityFor(COUNT_CLASSES, n, ctx.leafMaxEntries, GROW_NORMAL, 0);
    const offs = wide ? new Uint32Array(cap) : takeOffs(cap);
    offs.set(leaf.offs.subarray(0, n));
    releaseArray(leaf.offs);
    leaf.offs = offs;
  }
  const w = leaf.weights;
  if (w !== null && (w.length > n + (n >> 2) + 8 || (exact && w.length > n))) {
    leaf.weights = w.slice(0, n);
    releaseArray(w);
  }
}

/** True when weight needs a Float64Array (not an integer in [0, 2^32), or -0). */
const isWideWeight = (w: number): boolean => !(w >= 0 && w <= 0xffffffff && Number.isInteger(w)) || Object.is(w, -0);

/** Recomputes the leaf weight sum, dropping the weights array when every weight is zero. */
function sumWeights(leaf: Leaf): void {
  const w = leaf.weights;
  if (w === null) {
    leaf.weight = 0;
    return;
  }
  let s = 0;
  let any = false;
  for (let i = 0; i < leaf.count; i++) {
    s += w[i];
    if (w[i] !== 0) any = true;
  }
  leaf.weight = s;
  if (!any) {
    releaseArray(leaf.weights);
    leaf.weights = null;
  }
}

// ---- modifications -----------------------------------------------------------------------------------------------

export function insertEntry(
  leaf: Leaf,
  i: number,
  key: Uint8Array,
  value: Uint8Array | undefined,
  weight: number,
  growth: number,
  ctx: LeafContext,
): void {
  const size = entrySize(key, value);
  const n = leaf.count;
  const derived = ctx.weightOf !== null;
  if (derived) weight = weightToWrite(value, weight, ctx);
  ensureCapacity(
    leaf,
    leaf.used + size,
    n + 1,
    !derived && (weight !== 0 || leaf.weights !== null),
    growth,
    ctx,
    isWideWeight(weight),
  );
  // the entry's bytes go after the others (no shift of the leaf's bytes); only the offsets move
  const a = leaf.used;
  writeEntry(leaf.buf, a, key, value);
  const offs = leaf.offs;
  if (i < n) {
    for (let j = n; j > i; j--) offs[j] = offs[j - 1];
    leaf.unsorted = true;
  }
  offs[i] = a;
  leaf.used += size;
  leaf.count = n + 1;
  if (ctx.flagKey?.(key, 0, key.length)) leaf.flaggedKeys++;
  if (derived) {
    leaf.weight += weight;
    return;
  }
  const w = leaf.weights;
  if (w !== null) {
    if (i < n) w.copyWithin(i + 1, i, n);
    w[i] = weight;
    // integer weights (a Uint32Array leaf) add exactly; a new non-zero weight cannot leave the array all-zero
    if (w instanceof Uint32Array && weight !== 0) leaf.weight += weight;
    else sumWeights(leaf);
  }
}

export function replaceEntry(
  leaf: Leaf,
  i: number,
  key: Uint8Array,
  value: Uint8Array | undefined,
  weight: number,
  ctx: LeafContext,
): void {
  const a = leaf.offs[i];
  const b = entryEndAt(leaf.buf, a);
  const size = entrySize(key, value);
  const delta = size - (b - a);
  const derived = ctx.weightOf !== null;
  if (derived) {
    leaf.weight -= leafWeight(leaf, i, ctx.weightOf);
    weight = weightToWrite(value, weight, ctx);
    leaf.weight += weight;
  }
  const needWeights = !derived && (weight !== 0 || leaf.weights !== null);
  ensureCapacity(leaf, leaf.used + Math.max(delta, 0), leaf.count, needWeights, GROW_NORMAL, ctx, isWideWeight(weight));
  const buf = leaf.buf;
  if (delta !== 0 && b < leaf.used) buf.copyWithin(a + size, b, leaf.used);
  writeEntry(buf, a, key, value);
  const offs = leaf.offs;
  if (delta !== 0) {
    // the entries whose bytes come after the replaced one's moved
    if (leaf.unsorted) {
      for (let j = 0; j < leaf.count; j++) if (offs[j] > a) offs[j] += delta;
    } else {
      for (let j = i + 1; j < leaf.count; j++) offs[j] += delta;
    }
  }
  leaf.used += delta;
  if (leaf.weights !== null) {
    leaf.weights[i] = weight;
    sumWeights(leaf);
  }
  if (delta < 0) shrinkToFit(leaf, ctx);
}

export function removeEntries(leaf: Leaf, from: number, to: number, ctx: LeafContext): void {
  const n = leaf.count;
  const k = to - from;
  if (k === n) {
    releaseLeafBuf(leaf.buf);
    releaseArray(leaf.offs);
    releaseArray(leaf.weights);
    leaf.buf = EMPTY;
    leaf.offs = NO_OFFSETS;
    leaf.count = 0;
    leaf.used = 0;
    leaf.weights = null;
    leaf.weight = 0;
    leaf.flaggedKeys = 0;
    leaf.unsorted = false;
    return;
  }
  // one entry of an unsorted leaf: its bytes are removed where they are; more: the bytes are sorted first
  const one = k === 1 && leaf.unsorted;
  if (leaf.unsorted && !one) sortLeaf(leaf, ctx);
  if (ctx.weightOf !== null) leaf.weight -= derivedSum(leaf, from, to, ctx.weightOf);
  if (leaf.flaggedKeys > 0) leaf.flaggedKeys -= flaggedKeysIn(leaf, from, to, ctx.flagKey!);
  const offs = leaf.offs;
  const a = offs[from];
  const b = one ? entryEndAt(leaf.buf, a) : entryStart(leaf, to);
  const d = b - a;
  if (b < leaf.used) leaf.buf.copyWithin(a, b, leaf.used);
  if (one) {
    for (let j = 0; j < from; j++) if (offs[j] > a) offs[j] -= d;
    for (let j = to; j < n; j++) offs[j - 1] = offs[j] > a ? offs[j] - d : offs[j];
  } else {
    for (let j = to; j < n; j++) offs[j - k] = offs[j] - d;
  }
  leaf.count = n - k;
  leaf.used -= d;
  if (leaf.weights !== null) {
    leaf.weights.copyWithin(from, to, n);
    sumWeights(leaf);
  }
  shrinkToFit(leaf, ctx);
}

/** New leaf with a copy of entries [from, to) of src. */
function copyLeafRange(src: Leaf, from: number, to: number, ctx: LeafContext): Leaf {
  if (src.unsorted) sortLeaf(src, ctx);
  const leaf = new Leaf();
  const a = entryStart(src, from);
  const b = entryStart(src, to);
  const n = to - from;
  ensureCapacity(leaf, b - a, n, src.weights !== null, GROW_NORMAL, ctx, src.weights instanceof Float64Array);
  src.buf.copy(leaf.buf, 0, a, b);
  const offs = leaf.offs;
  for (let i = 0; i < n; i++) offs[i] = src.offs[from + i] - a;
  leaf.count = n;
  leaf.used = b - a;
  if (src.flaggedKeys > 0) leaf.flaggedKeys = flaggedKeysIn(leaf, 0, n, ctx.flagKey!);
  if (ctx.weightOf !== null) leaf.weight = derivedSum(leaf, 0, n, ctx.weightOf);
  else if (src.weights !== null) {
    leaf.weights!.set(src.weights.subarray(from, to));
    sumWeights(leaf);
  }
  return leaf;
}

/** Appends right's entries to left. */
export function mergeLeafInto(left: Leaf, right: Leaf, ctx: LeafContext): void {
  const n = left.count + right.count;
  const wide = left.weights instanceof Float64Array || right.weights instanceof Float64Array;
  ensureCapacity(
    left,
    left.used + right.used,
    n,
    left.weights !== null || right.weights !== null,
    GROW_NORMAL,
    ctx,
    wide,
  );
  right.buf.copy(left.buf, left.used, 0, right.used);
  for (let i = 0; i < right.count; i++) left.offs[left.count + i] = right.offs[i] + left.used;
  // right's entries weigh 0 when it has no weight array: left's array may hold stale values past its count
  if (right.weights !== null) left.weights!.set(right.weights.subarray(0, right.count), left.count);
  else if (left.weights !== null) left.weights.fill(0, left.count, n);
  left.count = n;
  left.used += right.used;
  left.unsorted ||= right.unsorted;
  left.flaggedKeys += right.flaggedKeys;
  if (ctx.weightOf !== null) left.weight += right.weight;
  else sumWeights(left);
}

export function leafOverflows(leaf: Leaf, ctx: LeafContext): boolean {
  return leaf.count > ctx.leafMaxEntries || (leaf.used > ctx.leafMaxBytes && leaf.count > 1);
}

export function leafUnderflows(leaf: Leaf, ctx: LeafContext): boolean {
  return leaf.count < ctx.leafMinEntries && leaf.used < ctx.leafMinBytes;
}

/** Splits an overflowing leaf into itself plus the returned right siblings (in order). */
export function splitLeaf(leaf: Leaf, appendMode: boolean, out: Leaf[], ctx: LeafContext): void {
  if (leaf.unsorted) sortLeaf(leaf, ctx);
  const n = leaf.count;
  let at: number;
  if (appendMode) {
    at = n - 1;
  } else {
    const half = leaf.used / 2;
    let lo = 1;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (leaf.offs[mid] < half) lo = mid + 1;
      else hi = mid;
    }
    at = lo;
  }
  const right = copyLeafRange(leaf, at, n, ctx);
  removeEntries(leaf, at, n, ctx);
  // A sequential load never comes back to a full left leaf: give back all of its slack.
  if (appendMode) shrinkToFit(leaf, ctx, true);
  if (leafOverflows(leaf, ctx)) splitLeaf(leaf, false, out, ctx);
  out.push(right);
  if (leafOverflows(right, ctx)) splitLeaf(right, false, out, ctx);
}
