/**
 * PackedBTree — an order-statistic B+tree of binary keys whose leaves are packed byte arrays.
 *
 * Representation
 * - Leaves hold up to leafMaxEntries (128) entries and (unless holding a single entry) at most leafMaxBytes (8 KiB) of
 *   entry data, packed into ONE Buffer:  [varint keyLen][key][varint valTag][value] ...  where valTag = 0 means "no
 *   value" and valTag = len + 1 means a value of `len` bytes. A Uint16Array (Uint32Array when the leaf exceeds 64 KiB)
 *   holds the start offset of every entry, so a leaf is searched by binary search without any per-entry JS object.
 *   The offsets are in key order; the entries' bytes are too, except in a leaf marked `unsorted`: an insert writes the
 *   new entry after the others and shifts only the offsets (a memmove of the leaf's tail for every insert into a
 *   random leaf, far beyond the CPU caches, cost more than putting the bytes back in order once, at the leaf's next
 *   split or removal: sortLeaf). Reads go through the offsets, or copy the whole leaf (stretchStart).
 *   A per-entry weight array exists only when some entry of the leaf has a non-zero weight: a Uint32Array while
 *   every weight of the leaf is an integer in [0, 2^32) (object sizes), else a Float64Array. A tree built with a
 *   WeightOf function has none: each entry's weight is derived from its value (the S3 index: the object size in
 *   its metadata), which saves the array's memory and the cache misses of touching it on every write.
 *   Leaves are doubly linked (prev/next) for range scans in both directions.
 * - Inner nodes hold up to innerMax (128) children with, per child: a separator key (a copy of the child's smallest
 *   key at the time it was created), the number of entries below it, and the sum of the weights below it.
 *
 * Invariants (checked by checkInvariants())
 * - Keys are unique and strictly ascending in memcmp order across the leaf chain.
 * - For an inner node, every key below child i is ≥ keys[i] (i ≥ 1) and < keys[i + 1]; keys[0] is unused.
 *   Separators are copies (plain Uint8Arrays) made when a node is split; deletes never need to update them.
 * - counts[i] / weights[i] equal the entry count / weight sum of child i; all leaves are at the same depth.
 * - No leaf is empty except an empty root; the root, when inner, has at least two children.
 * - Leaves are modified in place (appends and memmoves within the buffer) and keep a little slack capacity
 *   (capacities come from a ×1.125 size series, so ≤ ~1/8; the tail leaf of a sequential load doubles, and is trimmed
 *   exactly when it fills). A leaf gets another buffer only when it grows past its capacity or shrinks well below
 *   it, and then mostly one that another leaf has just outgrown (small free lists per size). Allocating an
 *   ArrayBuffer per modification (copy-on-write) costs several µs in V8 because of external-memory GC pressure, so
 *   instead every key and value handed out is a fresh copy, never a view on leaf storage.
 * - Underflow is handled lazily: after a delete, an underfull node (< 1/4 full) is merged with a sibling when the
 *   two fit in one node; nodes are never split below one entry/child.
 *
 * Cost (n entries, L = leafMaxEntries, F = innerMax, h = tree height ≈ log_F(n / L))
 * - get / has / rank / lowerBound / countWhile:   O(h·log F + log L) key comparisons (+ O(h·F) for rank sums)
 * - insert / set / update / delete:                O(h·log F + L) — a shift of at most L offsets (insert), a memmove
 *   of at most leafMaxBytes in the leaf (a size-changing update, delete), a sort of the leaf's bytes (the first
 *   delete or split after inserts);
 *   appending a key greater than every key is O(h) amortized (no key comparisons on the way down).
 * - at(rank) / cursor(rank):                       O(h·F)
 * - removeRange(start, end) of m entries:          O(m + (m / L + 1)·(h·F + L))
 * - weightBetween(start, end):                     O(h·F + L)
 * - cursor next/prev:                              O(1)
 * Weights are summed exactly for integers below 2^53: sums are adjusted by differences only while every figure is a
 * safe integer (else recomputed, never updated by subtraction); derived weights are safe integers.
 *
 * Batches of random keys: a lookup in a tree far beyond the CPU caches is a chain of ~15 dependent cache misses.
 * prepare(keys) runs the leaf searches of up to PREPARE_MAX keys side by side, so that their misses overlap, and
 * records each key's path and position; the writes that follow reuse them (checked, see keyIndex) while no node has
 * been split, merged or removed. The S3 index ingest prepares each group of 16 events (src/ingest/apply.ts).
 */
import { latin1Slice } from '../buffer-slices';

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
class LeafContext {
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
 * innerMax 128 (was 64): a 1M-key index then has half as many lowest inner nodes (~170 of ~90 children), each
 * visited twice as often by random writes and so more often still in the CPU caches; its ingest ran +3 %, +3 % and
 * +7 % in a same-process A/B and +3.5 % on average over four pairs of separate runs (256: +0–2 %). Memory unchanged.
 */
export const DEFAULT_LIMITS: TreeLimits = { leafMaxEntries: 128, leafMaxBytes: 8192, innerMax: 128 };
/** Rough V8 cost of a leaf's objects (Leaf, Buffer, ArrayBuffer, offsets array, separator in the parent). */
const LEAF_OVERHEAD_BYTES = 400;

const EMPTY = Buffer.alloc(0);
const NO_OFFSETS = new Uint16Array(0);
const NO_KOFFS = new Uint32Array(1);
const NO_KBUF = Buffer.alloc(0);

export interface TreeEntry {
  key: Buffer;
  value: Buffer | undefined;
  weight: number;
}

/** A predicate that is true for a prefix of the key order and false afterwards. Receives key bytes [start, end). */
export type KeyPredicate = (buf: Uint8Array, start: number, end: number) => boolean;

class Leaf {
  buf: Buffer = EMPTY;
  offs: Uint16Array | Uint32Array = NO_OFFSETS;
  count = 0;
  used = 0;
  weights: Float64Array | Uint32Array | null = null;
  weight = 0;
  /**
   * How many keys are not plain (isPlainKey). 0: every key is printable ASCII that neither JSON nor XML escapes, so a
   * listing can decode a whole stretch of the leaf's bytes as latin1 once and take each key as a substring
   * (TreeCursor.stableText) instead of one decode per key, and renderers can copy keys without checking each byte
   * (TreeCursor.stablePlain).
   */
  specialKeys = 0;
  /**
   * The entries' bytes are not in key order: an insert before the last entry appends its bytes and only shifts the
   * offsets (insertEntry). Whatever needs the bytes in order (removals, splits, snapshots) sorts them first
   * (sortLeaf); reads that copy a stretch of entries copy the whole leaf instead (stretchStart).
   */
  unsorted = false;
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

class Inner {
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

type Node = Leaf | Inner;

/** a placeholder where a slot must hold some leaf */
const EMPTY_LEAF = new Leaf();

// ---- byte helpers ---------------------------------------------------------------------------------------------

/** The value of the varint at b[p] (varintEnd tells where it ends). */
function readVarint(b: Uint8Array, p: number): number {
  let c = b[p++];
  if (c < 0x80) return c;
  let x = c & 0x7f;
  let mul = 128;
  for (;;) {
    // past the end (undefined), a loop would never end: only bytes that are not a tree's can get here
    if (p >= b.length || mul > 2 ** 49) throw new Error('PackedBTree: malformed varint');
    c = b[p++];
    x += (c & 0x7f) * mul;
    if (c < 0x80) return x;
    mul *= 128;
  }
}

/** The position after the varint at b[p] (past the end of b, the position after it: readVarint throws there). */
function varintEnd(b: Uint8Array, p: number): number {
  while (b[p] >= 0x80) p++;
  return p + 1;
}

function varintSize(x: number): number {
  let s = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 128);
    s++;
  }
  return s;
}

function writeVarint(b: Uint8Array, p: number, x: number): number {
  while (x >= 0x80) {
    b[p++] = (x % 128) | 0x80;
    x = Math.floor(x / 128);
  }
  b[p++] = x;
  return p;
}

/** memcmp(a, b[bs, be)) — negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array, bs: number, be: number): number {
  return compareFrom(a, b, bs, be, 0);
}

/**
 * memcmp(a, b[bs, be)) for strings known to share their first `from` bytes: 0 when equal, else ±(1 + the length of
 * their common prefix), positive when a sorts after (lcpAbove, lcpBelow). Searches keep the common prefix of the key
 * with their lower and upper bounds (every key between two bounds shares at least the smaller of those two prefixes
 * with the key, since strings with a given prefix are contiguous in byte order) and compare only the bytes after it:
 * keys under one long prefix ("datalake/events/dt=2024-…") cost a few byte compares each, not ~30. The prefix comes
 * back in the result rather than in a variable beside it, so that no search shares state with another.
 */
function compareFrom(a: Uint8Array, b: Uint8Array, bs: number, be: number, from: number): number {
  const al = a.length;
  const bl = be - bs;
  const n = Math.min(al, bl);
  let i = from;
  while (i < n && a[i] === b[bs + i]) i++;
  if (i < n) return a[i] > b[bs + i] ? i + 1 : -1 - i;
  return al > bl ? i + 1 : al < bl ? -1 - i : 0;
}

/** The common prefix of a and b after compareFrom(a, b, …) returned c ≥ 0 (a sorts after b, or is equal to it). */
function lcpAbove(c: number, a: Uint8Array): number {
  return c > 0 ? c - 1 : a.length;
}

/** The common prefix of a and b after compareFrom(a, b, …) returned c ≤ 0 (a sorts before b, or is equal to it). */
function lcpBelow(c: number, a: Uint8Array): number {
  return c < 0 ? -1 - c : a.length;
}

/** True when b[s, e) starts with prefix. */
export function startsWith(b: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (e - s < n) return false;
  for (let i = 0; i < n; i++) if (b[s + i] !== prefix[i]) return false;
  return true;
}

/**
 * 1 for the bytes of plain keys: printable ASCII (0x20–0x7E) except the ones JSON or XML text escapes
 * (" & ' < > \\). A leaf counts its other keys (Leaf.specialKeys).
 */
const PLAIN_BYTE = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PLAIN_BYTE[c] = '"&\'<>\\'.includes(String.fromCharCode(c)) ? 0 : 1;

/** True when every byte of b[s, e) is plain (see PLAIN_BYTE). */
export function isPlainKey(b: Uint8Array, s: number, e: number): boolean {
  let x = 1;
  for (let i = s; i < e; i++) x &= PLAIN_BYTE[b[i]];
  return x === 1;
}

/** True when b[s, e) has a byte ≥ 0x80 (is not ASCII). */
export function isWideKey(b: Uint8Array, s: number, e: number): boolean {
  let x = 0;
  for (let i = s; i < e; i++) x |= b[i];
  return x >= 0x80;
}

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

/** ArrayBuffers allocated for leaf and separator storage so far (a diagnostic: tests check the free lists work). */
let buffersAllocated = 0;
export const bufferAllocations = (): number => buffersAllocated;

function allocBuf(n: number): Buffer {
  if (n === 0) return EMPTY;
  buffersAllocated++;
  // Own ArrayBuffer (not a slice of Node's shared pool) so a long-lived leaf never pins an 8 KiB pool slab.
  return Buffer.allocUnsafeSlow(n);
}

/** A fresh Buffer holding a copy of b[s, e) (results never alias leaf storage, which is modified in place). */
export function copyBytes(b: Uint8Array, s: number, e: number): Buffer {
  const out = Buffer.allocUnsafe(e - s);
  if (e - s <= 32) {
    for (let i = s; i < e; i++) out[i - s] = b[i];
  } else {
    out.set(b.subarray(s, e));
  }
  return out;
}

/**
 * A Buffer view on ab[offset, offset + length). Node's Buffer[Symbol.species] is its internal FastBuffer class,
 * whose constructor makes a view in less than half the time of subarray() or Buffer.from(arrayBuffer, …).
 */
const BufferView = (Buffer as unknown as { [Symbol.species]: unknown })[Symbol.species];
const viewOf: (ab: ArrayBufferLike, offset: number, length: number) => Buffer =
  typeof BufferView === 'function' && Buffer.isBuffer(new (BufferView as BufferViewClass)(new ArrayBuffer(1), 0, 1))
    ? (ab, offset, length) => new (BufferView as BufferViewClass)(ab, offset, length)
    : (ab, offset, length) => Buffer.from(ab, offset, length);
type BufferViewClass = new (ab: ArrayBufferLike, offset: number, length: number) => Buffer;

/**
 * Copies of leaf bytes that listings hand out (TreeCursor.stableBuf, rolled-up prefixes) are carved from shared
 * slabs: a new ArrayBuffer per leaf visited costs a few µs in V8 (external memory accounting), and even a small
 * Buffer.allocUnsafe goes through argument checks and pool bookkeeping; a view on a slab costs far less. Slab memory
 * is never reused, so a copy never changes; a kept copy pins at most one slab.
 */
const SLAB_BYTES = 64 * 1024;

/**
 * Hands out never-reused copies carved from 64 KiB slabs. An allocator, not scratch: a copy is never written again
 * once handed out, so one arena serves every tree, cursor and listing, whatever order they copy in.
 */
class SlabArena {
  private slab = new ArrayBuffer(0);
  private pos = 0;
  /**
   * Where the last copy went: `slab` (a number per slab, never reused) and `at` (the offset in it), -1 when the copy
   * has an ArrayBuffer of its own. Copies with the same `slab` share one ArrayBuffer: a listing decodes many short
   * ones with a single native call (see listRaw's prefix strings). Read it right after the copy.
   */
  readonly last = { slab: 0, at: -1 };

  /** A fresh, never-reused copy of b[s, e). */
  copy(b: Uint8Array, s: number, e: number): Buffer {
    const n = e - s;
    const last = this.last;
    if (n > SLAB_BYTES >> 2) {
      last.at = -1;
      return copyBytes(b, s, e);
    }
    let pos = this.pos;
    if (pos + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      pos = 0;
      last.slab++;
    }
    last.at = pos;
    const out = viewOf(this.slab, pos, n);
    if (n <= 32) for (let i = 0; i < n; i++) out[i] = b[s + i];
    else out.set(b.subarray(s, e));
    this.pos = pos + ((n + 7) & ~7);
    return out;
  }
}

/** The arena of the copies that cursors (TreeCursor.stableBuf) and listings (slabCopy) hand out. */
const copies = new SlabArena();

/** Where slabCopy put its last copy (see SlabArena.last). */
export const lastSlabCopy = copies.last;

/** A fresh, never-reused copy of b[s, e) (see SlabArena). */
export function slabCopy(b: Uint8Array, s: number, e: number): Buffer {
  return copies.copy(b, s, e);
}

function sumOf(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return s;
}

// ---- leaf access ----------------------------------------------------------------------------------------------

/** Where the key of the entry whose bytes start at p begins (after its length). */
function keyStartAt(buf: Uint8Array, p: number): number {
  return buf[p] < 0x80 ? p + 1 : varintEnd(buf, p);
}

/** Where the key of the entry whose bytes start at p ends (its value tag follows). */
function keyEndAt(buf: Uint8Array, p: number): number {
  const kl = buf[p];
  return kl < 0x80 ? p + 1 + kl : varintEnd(buf, p) + readVarint(buf, p);
}

function entryStart(leaf: Leaf, i: number): number {
  return i < leaf.count ? leaf.offs[i] : leaf.used;
}

/** The end of the entry whose bytes start at p. */
function entryEndAt(buf: Uint8Array, p: number): number {
  const ke = keyEndAt(buf, p);
  const tag = buf[ke];
  if (tag < 0x80) return tag === 0 ? ke + 1 : ke + tag;
  return varintEnd(buf, ke) + readVarint(buf, ke) - 1;
}

/**
 * Where a copy of entries [first, first + k) of a leaf starts (stretchEnd: where it ends): their own bytes in a
 * sorted leaf, all of the leaf's bytes in an unsorted one (offsets into the copy are then the entries' offsets).
 */
function stretchStart(leaf: Leaf, first: number): number {
  return leaf.unsorted ? 0 : leaf.offs[first];
}

function stretchEnd(leaf: Leaf, first: number, k: number): number {
  return leaf.unsorted ? leaf.used : entryStart(leaf, first + k);
}

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
function bytesInOrder(leaf: Leaf): Buffer {
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

function leafKey(leaf: Leaf, i: number): Buffer {
  const buf = leaf.buf;
  const p = leaf.offs[i];
  return copyBytes(buf, keyStartAt(buf, p), keyEndAt(buf, p));
}

/** How many of the keys [from, to) of a leaf are not plain. */
function specialKeysIn(leaf: Leaf, from: number, to: number): number {
  const buf = leaf.buf;
  let n = 0;
  for (let i = from; i < to; i++) {
    const p = leaf.offs[i];
    if (!isPlainKey(buf, keyStartAt(buf, p), keyEndAt(buf, p))) n++;
  }
  return n;
}

/** A copy of the value of the entry whose key ends at ke, from its byte `skip` on (undefined: none, or shorter). */
function valueAt(buf: Uint8Array, ke: number, skip: number): Buffer | undefined {
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
function separatorOf(leaf: Leaf): Uint8Array {
  const buf = leaf.buf;
  const p = leaf.offs[0];
  const ks = keyStartAt(buf, p);
  const ke = keyEndAt(buf, p);
  const k = new Uint8Array(ke - ks);
  for (let i = ks; i < ke; i++) k[i - ks] = buf[i];
  return k;
}

function leafWeight(leaf: Leaf, i: number, weightOf: WeightOf | null): number {
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

/** Derived weights: the sum over entries [from, to) of a leaf. */
function derivedSum(leaf: Leaf, from: number, to: number, weightOf: WeightOf | null): number {
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
function leafSearch(leaf: Leaf, key: Uint8Array, llcp = 0, rlcp = 0, lo = 0): number {
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

/** Packs the separators of an inner node for searching (see Inner.kbuf); returns the buffer. */
function packKeys(node: Inner): Buffer {
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
function packInserted(node: Inner, at: number, seps: Uint8Array[]): void {
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
class Path {
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
function innerSearch(node: Inner, key: Uint8Array, path: Path): number {
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

// ---- leaf modification (in place, with slack capacity) ------------------------------------------------------------

const GROW_NORMAL = 0;
const GROW_TAIL = 1;

/**
 * Leaf buffer capacities form a geometric series (×1.125, ending at the default 8 KiB leaf), and a buffer a leaf
 * outgrows goes to a small free list of its size: a growing leaf then mostly takes the buffer another leaf has just
 * outgrown instead of a new ArrayBuffer, whose allocation, external-memory accounting and later sweep cost V8
 * several µs. The series keeps the usual ≤ 1/8 slack.
 */
const BUF_CLASSES: number[] = [];
for (let c = DEFAULT_LIMITS.leafMaxBytes; c >= 256; c = Math.floor(c / 1.125 / 8) * 8) BUF_CLASSES.unshift(c);
/**
 * One class above the leaf maximum: the insert that overflows a full leaf (split right after) takes its buffer from
 * here and the split gives it back, instead of allocating an exact-size ArrayBuffer once per split and dropping it.
 */
const OVERFLOW_BYTES = 2048;
BUF_CLASSES.push(DEFAULT_LIMITS.leafMaxBytes + OVERFLOW_BYTES);
/**
 * Buffers kept per class: 16 halves the ArrayBuffer allocations of a 1M random ingest against 4 (41,000 → 21,000,
 * ~15,000 of them new leaves) and ran 0–26 % faster in paired runs; 64 kept fewer still and was no faster. At most
 * 1.4 MB of leaf buffers held in all.
 */
const FREE_PER_CLASS = 16;
const freeBufs: Buffer[][] = BUF_CLASSES.map(() => []);

/** Index of the smallest of the ascending `classes` ≥ n (classes.length when n is above every class). */
function classIndex(classes: readonly number[], n: number): number {
  let lo = 0;
  let hi = classes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (classes[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Capacity for `need` from a class series: the class ≥ need (≥ 2·need for the tail of a sequential load), never
 * above max(need, cap), except for a need above cap (an overflowing leaf): the class ≥ need then, if any.
 */
function classCapacityFor(
  classes: readonly number[],
  need: number,
  cap: number,
  growth: number,
  floor: number,
): number {
  if (need > cap) {
    // an overflowing leaf, split at once: the class above the maximum when it fits, never more
    const k = classIndex(classes, need);
    return k < classes.length ? classes[k] : need;
  }
  const want = growth === GROW_TAIL ? Math.max(2 * need, floor) : Math.max(need, floor);
  const k = classIndex(classes, want);
  return Math.max(need, Math.min(k < classes.length ? classes[k] : want, cap));
}

/** The free list for things of size n in a class series, or undefined when n is not one of its classes. */
function freeList<T>(classes: readonly number[], lists: T[][], n: number): T[] | undefined {
  const k = classIndex(classes, n);
  return k < classes.length && classes[k] === n ? lists[k] : undefined;
}

function takeLeafBuf(n: number): Buffer {
  return freeList(BUF_CLASSES, freeBufs, n)?.pop() ?? allocBuf(n);
}

/** Hands a buffer no leaf uses any more to the free list of its class (when it has one and there is room). */
function releaseLeafBuf(b: Buffer): void {
  const list = freeList(BUF_CLASSES, freeBufs, b.length);
  if (list !== undefined && list.length < FREE_PER_CLASS) list.push(b);
}

/**
 * The same for the per-entry arrays: offsets (Uint16Array) and integer weights (Uint32Array) take capacities from a
 * series of entry counts, and outgrown ones go to small free lists (weights are zeroed when reused).
 */
const COUNT_CLASSES: number[] = [];
for (let c = 8; c < DEFAULT_LIMITS.leafMaxEntries; c = Math.max(c + 4, Math.floor(c * 1.125))) COUNT_CLASSES.push(c);
COUNT_CLASSES.push(DEFAULT_LIMITS.leafMaxEntries, DEFAULT_LIMITS.leafMaxEntries + 8);
const freeOffs: Uint16Array[][] = COUNT_CLASSES.map(() => []);
const freeWeights: Uint32Array[][] = COUNT_CLASSES.map(() => []);

function takeOffs(n: number): Uint16Array {
  return freeList(COUNT_CLASSES, freeOffs, n)?.pop() ?? new Uint16Array(n);
}

function takeWeights(n: number): Uint32Array {
  const w = freeList(COUNT_CLASSES, freeWeights, n)?.pop();
  if (w === undefined) return new Uint32Array(n);
  w.fill(0);
  return w;
}

/** Hands per-entry arrays no leaf uses any more to their free lists (offsets and integer weights only). */
function releaseArray(a: Uint16Array | Uint32Array | Float64Array | null): void {
  if (a === null || a.length === 0) return;
  const list =
    a instanceof Uint16Array
      ? freeList(COUNT_CLASSES, freeOffs, a.length)
      : a instanceof Uint32Array
        ? freeList(COUNT_CLASSES, freeWeights, a.length)
        : undefined;
  if (list !== undefined && list.length < FREE_PER_CLASS) (list as Array<typeof a>).push(a);
}

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

function insertEntry(
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
  if (!isPlainKey(key, 0, key.length)) leaf.specialKeys++;
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

function replaceEntry(
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

function removeEntries(leaf: Leaf, from: number, to: number, ctx: LeafContext): void {
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
    leaf.specialKeys = 0;
    leaf.unsorted = false;
    return;
  }
  // one entry of an unsorted leaf: its bytes are removed where they are; more: the bytes are sorted first
  const one = k === 1 && leaf.unsorted;
  if (leaf.unsorted && !one) sortLeaf(leaf, ctx);
  if (ctx.weightOf !== null) leaf.weight -= derivedSum(leaf, from, to, ctx.weightOf);
  if (leaf.specialKeys > 0) leaf.specialKeys -= specialKeysIn(leaf, from, to);
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
  if (src.specialKeys > 0) leaf.specialKeys = specialKeysIn(leaf, 0, n);
  if (ctx.weightOf !== null) leaf.weight = derivedSum(leaf, 0, n, ctx.weightOf);
  else if (src.weights !== null) {
    leaf.weights!.set(src.weights.subarray(from, to));
    sumWeights(leaf);
  }
  return leaf;
}

/** Appends right's entries to left. */
function mergeLeafInto(left: Leaf, right: Leaf, ctx: LeafContext): void {
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
  left.specialKeys += right.specialKeys;
  if (ctx.weightOf !== null) left.weight += right.weight;
  else sumWeights(left);
}

function leafOverflows(leaf: Leaf, ctx: LeafContext): boolean {
  return leaf.count > ctx.leafMaxEntries || (leaf.used > ctx.leafMaxBytes && leaf.count > 1);
}

function leafUnderflows(leaf: Leaf, ctx: LeafContext): boolean {
  return leaf.count < ctx.leafMinEntries && leaf.used < ctx.leafMinBytes;
}

/** Splits an overflowing leaf into itself plus the returned right siblings (in order). */
function splitLeaf(leaf: Leaf, appendMode: boolean, out: Leaf[], ctx: LeafContext): void {
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

function nodeCount(node: Node): number {
  return node.count;
}

/**
 * An inner node's weight after one child's weight went from `before` to `after` (already stored): adjusted by the
 * difference when every figure is a safe integer (byte sizes: exact), else summed again over the children, so that
 * other weights never pick up rounding from adjusting.
 */
function adjustedSum(p: Inner, before: number, after: number): number {
  const w = p.weight;
  const s = w - before + after;
  const exact =
    Number.isSafeInteger(s) && Number.isSafeInteger(w) && Number.isSafeInteger(before) && Number.isSafeInteger(after);
  return exact ? s : sumOf(p.weights, p.weights.length);
}

// ---- the tree -------------------------------------------------------------------------------------------------

/** Most keys one prepare() records. */
const PREPARE_MAX = 64;

/**
 * The lookups prepare() recorded for a batch of keys: per key, the key object, its leaf and path, the common
 * prefixes of the key with the leaf's bounds, and the leaf search's result (lo, found); the searches' state while
 * they run. One per tree (made by its first prepare, reused by the next ones), so two trees' batches never mix.
 */
export class PreparedBatch {
  /** keys recorded (0: none, or released) */
  n = 0;
  /** the tree's structure epoch when recorded: the paths hold while it is unchanged */
  epoch = -1;
  /** where the next lookup of a recorded key starts (the batch's writes come in the order of its keys) */
  next = 0;
  /** the sum of the bytes prepare() touched, so that the loads are not optimised away */
  touched = 0;
  readonly keys: Uint8Array[] = [];
  readonly leaves: Leaf[] = [];
  readonly found = new Uint8Array(PREPARE_MAX);
  readonly lo = new Int32Array(PREPARE_MAX);
  readonly hi = new Int32Array(PREPARE_MAX);
  readonly llcp = new Int32Array(PREPARE_MAX);
  readonly rlcp = new Int32Array(PREPARE_MAX);
  readonly descLo = new Int32Array(PREPARE_MAX);
  readonly descHi = new Int32Array(PREPARE_MAX);
  /** the path of key j: pathNode[d * PREPARE_MAX + j], pathIdx[d * PREPARE_MAX + j] for depth d */
  readonly pathNode: Inner[] = [];
  readonly pathIdx: number[] = [];

  /** Drops what was recorded (so that it keeps no leaf or key reachable). */
  release(): void {
    for (let j = 0; j < this.n; j++) {
      this.keys[j] = EMPTY;
      this.leaves[j] = EMPTY_LEAF;
    }
    this.n = 0;
    this.pathNode.length = 0;
  }

  /** Records the descent of key j (just made: its leaf and the tree's path). */
  record(j: number, key: Uint8Array, leaf: Leaf, path: Path, height: number): void {
    this.keys[j] = key;
    for (let d = 0; d < height; d++) {
      this.pathNode[d * PREPARE_MAX + j] = path.nodes[d];
      this.pathIdx[d * PREPARE_MAX + j] = path.idx[d];
    }
    this.leaves[j] = leaf;
    this.descLo[j] = this.llcp[j] = path.lo;
    this.descHi[j] = this.rlcp[j] = path.hi;
    this.lo[j] = 0;
    this.found[j] = 0;
  }

  /**
   * The leaf searches of the n keys recorded, side by side (see PackedBTree.prepare): the leaves' objects, then their
   * arrays' objects, a pass each; then rounds of a touch pass and a compare pass.
   */
  searchLeaves(n: number, height: number): void {
    const keys = this.keys;
    const leaves = this.leaves;
    const lo = this.lo;
    const hi = this.hi;
    const ll = this.llcp;
    const rl = this.rlcp;
    for (let j = 0; j < n; j++) hi[j] = leaves[j].count;
    let sink = 0;
    for (let j = 0; j < n; j++) sink += leaves[j].buf.length + leaves[j].offs.length + leaves[j].weight;
    // the leaves' entries in their parents' counts and weights (updated by every insert)
    if (height > 0) {
      const d = (height - 1) * PREPARE_MAX;
      for (let j = 0; j < n; j++) {
        const parent = this.pathNode[d + j];
        const i = this.pathIdx[d + j];
        sink += parent.counts[i] + parent.weights[i];
      }
    }
    // where an insert writes its entry: after the leaf's bytes
    for (let j = 0; j < n; j++) {
      const { buf, used } = leaves[j];
      if (used + 64 < buf.length) sink += buf[used] + buf[used + 64];
    }
    for (let active = n; active > 0; ) {
      // touch pass: the first bytes each key's next comparison reads (its entry's length and the key bytes after the
      // common prefix)
      for (let j = 0; j < n; j++) {
        if (lo[j] >= hi[j]) continue;
        const { buf, offs } = leaves[j];
        const p = offs[(lo[j] + hi[j]) >>> 1];
        sink += buf[p] + buf[p + 1 + Math.min(ll[j], rl[j])];
      }
      // compare pass: one binary-search step per key
      active = 0;
      for (let j = 0; j < n; j++) {
        const l = lo[j];
        const h = hi[j];
        if (l >= h) continue;
        const leaf = leaves[j];
        const buf = leaf.buf;
        const mid = (l + h) >>> 1;
        const p = leaf.offs[mid];
        let kl = buf[p];
        let s = p + 1;
        if (kl >= 0x80) {
          kl = readVarint(buf, p);
          s = varintEnd(buf, p);
        }
        const c = compareFrom(keys[j], buf, s, s + kl, Math.min(ll[j], rl[j]));
        if (c > 0) {
          lo[j] = mid + 1;
          ll[j] = c - 1;
        } else if (c < 0) {
          hi[j] = mid;
          rl[j] = -1 - c;
        } else {
          lo[j] = mid;
          hi[j] = mid;
          this.found[j] = 1;
          continue;
        }
        if (lo[j] < hi[j]) active++;
      }
    }
    this.touched = sink;
  }

  /**
   * The leaf of key when it is one of the keys recorded and not yet taken, with its path restored into `path`
   * (path.batchIndex: its index here); else null.
   */
  take(key: Uint8Array, path: Path, height: number): Leaf | null {
    const n = this.n;
    for (let j = this.next; j < n; j++) {
      if (this.keys[j] !== key) continue;
      this.next = j + 1;
      for (let d = 0; d < height; d++) {
        path.nodes[d] = this.pathNode[d * PREPARE_MAX + j];
        path.idx[d] = this.pathIdx[d * PREPARE_MAX + j];
      }
      path.lo = this.descLo[j];
      path.hi = this.descHi[j];
      path.batchIndex = j;
      return this.leaves[j];
    }
    return null;
  }

  /**
   * Whether the position recorded for key j still holds in its leaf (earlier writes of the batch may have changed
   * the leaf): the entry there equals the key, or the key falls between the entries around it. `from`: bytes the key
   * shares with every entry of the leaf.
   */
  holds(j: number, leaf: Leaf, key: Uint8Array, from: number): boolean {
    const i = this.lo[j];
    const buf = leaf.buf;
    const offs = leaf.offs;
    const count = leaf.count;
    if (this.found[j] === 1) {
      if (i >= count) return false;
      const p = offs[i];
      return compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) === 0;
    }
    if (i > count) return false;
    if (i > 0) {
      const p = offs[i - 1];
      if (compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) <= 0) return false;
    }
    if (i < count) {
      const p = offs[i];
      if (compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), from) >= 0) return false;
    }
    return true;
  }

  /** The recorded result of key j's leaf search, as leafSearch returns it. */
  result(j: number): number {
    return this.found[j] === 1 ? this.lo[j] : ~this.lo[j];
  }
}

export class PackedBTree {
  private root: Node = new Leaf();
  private height = 0;
  private head: Leaf;
  private tail: Leaf;
  private leafCount = 1;
  private dataBytes = 0;
  /** @internal */
  readonly ctx: LeafContext;
  /** where the last descent went (modifications update the nodes on it) */
  private readonly path = new Path();
  /** the leaf holding the rank descendRank was given, and the rank's index in it */
  private rankInLeaf = 0;
  /**
   * Descent reuse: has(key) and getValue(key) leave their descent (its path in `path`, its leaf and search result
   * here) for the next descendKey of the same key object (a read-modify-write, e.g. ZADD's score check then insert,
   * costs one descent). Every other descent of this tree and clear() drop it, and every modification starts with a
   * descent, so the recorded path is never stale when reused.
   */
  private hintKey: Uint8Array | null = null;
  private hintLeaf: Leaf = EMPTY_LEAF;
  /** leafSearch's result for the hinted key in hintLeaf */
  private hintIdx = 0;
  private hintLo = 0;
  private hintHi = 0;
  /**
   * Bumped whenever the inner structure changes (a node split, merged or removed, the root replaced): a path recorded
   * by prepare() is valid while it is unchanged. Leaf contents may change meanwhile: a key's leaf and the bounds of
   * that leaf (its separators) stay the same, and the recorded position in it is checked (PreparedBatch.holds).
   */
  private epoch = 0;
  /** the lookups prepare() recorded (null before the first prepare) */
  private batch: PreparedBatch | null = null;

  /**
   * `weightOf`: derive each entry's weight from its value (see WeightOf); the weights given to writes are then
   * ignored and leaves keep no per-entry weight array.
   */
  constructor(limits?: TreeLimits, weightOf?: WeightOf) {
    this.ctx = new LeafContext(limits ?? DEFAULT_LIMITS, weightOf ?? null);
    this.head = this.root as Leaf;
    this.tail = this.head;
  }

  /** Builds a tree from entries in strictly ascending key order (throws otherwise). O(n). */
  static fromSorted(entries: Iterable<{ key: Uint8Array; value?: Uint8Array; weight?: number }>): PackedBTree {
    const t = new PackedBTree();
    for (const e of entries) t.append(e.key, e.value, e.weight ?? 0);
    return t;
  }

  get size(): number {
    return this.root.count;
  }

  get totalWeight(): number {
    return this.root.weight;
  }

  /** Approximate memory footprint in bytes. */
  byteSize(): number {
    return this.dataBytes + this.size * 2 + this.leafCount * LEAF_OVERHEAD_BYTES;
  }

  // ---- descents ----

  private descendKey(key: Uint8Array): Leaf {
    const path = this.path;
    path.batchIndex = -1;
    if (this.hintKey === key) {
      // getValue(key) just descended for this very key object and nothing has descended since: path still valid
      this.hintKey = null;
      path.lo = this.hintLo;
      path.hi = this.hintHi;
      return this.hintLeaf;
    }
    this.hintKey = null;
    const batch = this.batch;
    if (batch !== null && batch.n > 0 && batch.epoch === this.epoch) {
      const leaf = batch.take(key, path, this.height);
      if (leaf !== null) return leaf;
    }
    path.lo = 0;
    path.hi = 0;
    const nodes = path.nodes;
    const idx = path.idx;
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const i = innerSearch(inner, key, path);
      nodes[d] = inner;
      idx[d] = i;
      node = inner.children[i];
    }
    return node as Leaf;
  }

  private descendRightmost(): Leaf {
    this.hintKey = null;
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const i = inner.children.length - 1;
      nodes[d] = inner;
      idx[d] = i;
      node = inner.children[i];
    }
    return node as Leaf;
  }

  /** Descends to the leaf holding rank r (0 ≤ r < size); returns the leaf and sets `rankInLeaf`. */
  private descendRank(r: number): Leaf {
    this.hintKey = null;
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const counts = inner.counts;
      let i = 0;
      while (r >= counts[i]) r -= counts[i++];
      nodes[d] = inner;
      idx[d] = i;
      node = inner.children[i];
    }
    this.rankInLeaf = r;
    return node as Leaf;
  }

  private rankOfPath(): number {
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let r = 0;
    for (let d = 0; d < this.height; d++) {
      const counts = nodes[d].counts;
      const i = idx[d];
      for (let j = 0; j < i; j++) r += counts[j];
    }
    return r;
  }

  private greaterThanMax(key: Uint8Array): boolean {
    const t = this.tail;
    if (t.count === 0) return false;
    const buf = t.buf;
    const p = t.offs[t.count - 1];
    return compareBytes(key, buf, keyStartAt(buf, p), keyEndAt(buf, p)) > 0;
  }

  /**
   * Prepares the lookups of keys[0, n) (n ≤ PREPARE_MAX) that a batch of writes will make next, so that their cache
   * misses overlap instead of each waiting for the one before (a 1M-key tree's leaves are far beyond the caches, and
   * a leaf search is ~7 dependent misses). The descents run one key after the other (the inner nodes are mostly
   * cached); the leaf searches run side by side, in rounds: a touch pass reads, for every key, the first byte its next
   * comparison will read (independent loads, which the CPU overlaps), then a compare pass makes that comparison on
   * cached bytes. Records each key's path and search result in the tree's PreparedBatch, which it returns; a later
   * descent of the same key object in this tree (descendKey, then keyIndex) reuses them while no node has been split,
   * merged or removed since (epoch), and checks the recorded leaf position with one or two comparisons, since
   * earlier writes of the batch may have changed the leaf. Changes nothing in the tree (it may repack an inner node's
   * separators, see Inner.kbuf). Release the batch when its writes are done (PreparedBatch.release).
   */
  prepare(keys: readonly Uint8Array[], n: number): PreparedBatch {
    n = Math.min(n, PREPARE_MAX);
    let batch = this.batch;
    if (batch === null) batch = this.batch = new PreparedBatch();
    // not used by the descents that record it
    batch.n = 0;
    const path = this.path;
    for (let j = 0; j < n; j++) {
      const key = keys[j];
      batch.record(j, key, this.descendKey(key), path, this.height);
    }
    batch.searchLeaves(n, this.height);
    batch.epoch = this.epoch;
    batch.n = n;
    batch.next = 0;
    return batch;
  }

  /**
   * leafSearch of a key in the leaf descendKey just returned, using the position prepare() recorded when descendKey
   * took the prepared path (path.batchIndex ≥ 0), after checking it against the entries around it.
   */
  private keyIndex(leaf: Leaf, key: Uint8Array): number {
    const path = this.path;
    const j = path.batchIndex;
    if (j >= 0) {
      path.batchIndex = -1;
      const batch = this.batch!;
      if (batch.holds(j, leaf, key, Math.min(path.lo, path.hi))) return batch.result(j);
    }
    return leafSearch(leaf, key, path.lo, path.hi);
  }

  // ---- queries ----

  has(key: Uint8Array): boolean {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    this.leaveHint(key, leaf, r);
    return r >= 0;
  }

  /**
   * Lets the next descendKey of this key object reuse the descent just made (a lookup followed by a write); r: its
   * leafSearch result.
   */
  private leaveHint(key: Uint8Array, leaf: Leaf, r: number): void {
    this.hintKey = key;
    this.hintLeaf = leaf;
    this.hintIdx = r;
    this.hintLo = this.path.lo;
    this.hintHi = this.path.hi;
  }

  get(key: Uint8Array): TreeEntry | undefined {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return undefined;
    return this.entryOf(leaf, r);
  }

  /** Value of key, or null when the key is absent (undefined when present without a value). */
  getValue(key: Uint8Array): Buffer | undefined | null {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    this.leaveHint(key, leaf, r);
    if (r < 0) return null;
    return valueAt(leaf.buf, keyEndAt(leaf.buf, leaf.offs[r]), 0);
  }

  private entryOf(leaf: Leaf, i: number): TreeEntry {
    const buf = leaf.buf;
    const p = leaf.offs[i];
    const ke = keyEndAt(buf, p);
    const key = copyBytes(buf, keyStartAt(buf, p), ke);
    const value = valueAt(buf, ke, 0);
    return { key, value, weight: leafWeight(leaf, i, this.ctx.weightOf) };
  }

  /** 0-based rank of key, or -1 when absent. */
  rank(key: Uint8Array): number {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return -1;
    return this.rankOfPath() + r;
  }

  /** Number of keys < key (≤ key when inclusive). */
  lowerBound(key: Uint8Array, inclusive: boolean): number {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    const i = r < 0 ? ~r : inclusive ? r + 1 : r;
    return this.rankOfPath() + i;
  }

  /**
   * Number of leading keys for which pred holds, assuming pred is monotone (true then false) in key order. Separator
   * keys are probed too; with a non-monotone predicate the answer is some deterministic count in [0, size].
   */
  countWhile(pred: KeyPredicate): number {
    let node = this.root;
    let r = 0;
    for (let d = 0; d < this.height; d++) {
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

  at(rank: number): TreeEntry | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const leaf = this.descendRank(rank);
    return this.entryOf(leaf, this.rankInLeaf);
  }

  keyAt(rank: number): Buffer | undefined {
    if (!(rank >= 0 && rank < this.size)) return undefined;
    const leaf = this.descendRank(rank);
    return leafKey(leaf, this.rankInLeaf);
  }

  /** A cursor on rank `rank` (invalid when out of range). The tree must not be modified while it is in use. */
  cursor(rank: number): TreeCursor {
    if (!(rank >= 0 && rank < this.size)) return new TreeCursor(null, 0);
    const leaf = this.descendRank(rank);
    return new TreeCursor(leaf, this.rankInLeaf, this);
  }

  /**
   * A cursor on the first key ≥ key (> key when exclusive); invalid when there is none. One descent. Values read
   * through it skip their first `valueSkip` bytes (a value shorter than that reads as absent).
   */
  seekCursor(key: Uint8Array, exclusive: boolean, valueSkip = 0): TreeCursor {
    const c = new TreeCursor(null, 0, this, valueSkip);
    this.seekInto(c, key, exclusive);
    return c;
  }

  /** @internal Positions c on the first key ≥ key (> key when exclusive) by a descent from the root. */
  seekInto(c: TreeCursor, key: Uint8Array, exclusive: boolean): void {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    c.place(leaf, r < 0 ? ~r : exclusive ? r + 1 : r);
  }

  /** Sum of the weights of ranks [start, end). */
  weightBetween(start: number, end: number): number {
    if (start < 0) start = 0;
    if (end > this.size) end = this.size;
    if (start >= end) return 0;
    return sumRange(this.root, this.height, start, end, this.ctx);
  }

  // ---- modifications ----

  /** Inserts key when absent; returns false (and changes nothing) when present. */
  insert(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return this.upsert(key, value, weight, MODE_INSERT);
  }

  /** Inserts or replaces; returns true when the key was new. */
  set(key: Uint8Array, value?: Uint8Array, weight = 0): boolean {
    return this.upsert(key, value, weight, MODE_SET);
  }

  /** Replaces value and weight of an existing key; returns false when absent. */
  update(key: Uint8Array, value: Uint8Array | undefined, weight: number): boolean {
    return this.upsert(key, value, weight, MODE_UPDATE);
  }

  /** Appends a key greater than every key in the tree (throws otherwise). Amortized O(height). */
  append(key: Uint8Array, value?: Uint8Array, weight = 0): void {
    if (this.size > 0 && !this.greaterThanMax(key)) throw new Error('PackedBTree.append: keys must be ascending');
    const leaf = this.descendRightmost();
    this.insertAt(leaf, leaf.count, key, value, weight);
  }

  private upsert(key: Uint8Array, value: Uint8Array | undefined, weight: number, mode: number): boolean {
    let leaf: Leaf;
    let r: number;
    if (this.hintKey === key) {
      // a lookup of this very key object just searched this leaf (a key above the maximum landed at the end of
      // the rightmost leaf, where the append path below would put it too)
      this.hintKey = null;
      leaf = this.hintLeaf;
      r = this.hintIdx;
    } else {
      if (this.greaterThanMax(key)) {
        if (mode === MODE_UPDATE) return false;
        leaf = this.descendRightmost();
        this.insertAt(leaf, leaf.count, key, value, weight);
        return true;
      }
      leaf = this.descendKey(key);
      r = this.keyIndex(leaf, key);
    }
    if (r >= 0) {
      if (mode === MODE_INSERT) return false;
      const oldWeight = leaf.weight;
      const oldUsed = leaf.used;
      replaceEntry(leaf, r, key, value, weight, this.ctx);
      this.dataBytes += leaf.used - oldUsed;
      this.propagate(leaf, 0, oldWeight);
      if (leafOverflows(leaf, this.ctx)) this.splitAfterInsert(leaf, false);
      return mode === MODE_UPDATE;
    }
    if (mode === MODE_UPDATE) return false;
    this.insertAt(leaf, ~r, key, value, weight);
    return true;
  }

  private insertAt(leaf: Leaf, i: number, key: Uint8Array, value: Uint8Array | undefined, weight: number): void {
    const oldWeight = leaf.weight;
    const oldUsed = leaf.used;
    const tailAppend = i === leaf.count && leaf.next === null;
    insertEntry(leaf, i, key, value, weight, tailAppend ? GROW_TAIL : GROW_NORMAL, this.ctx);
    this.dataBytes += leaf.used - oldUsed;
    this.propagate(leaf, 1, oldWeight);
    if (leafOverflows(leaf, this.ctx)) this.splitAfterInsert(leaf, tailAppend);
  }

  /** Removes key; returns the removed entry (views stay valid) or undefined when absent. */
  delete(key: Uint8Array): TreeEntry | undefined {
    const leaf = this.descendKey(key);
    const r = this.keyIndex(leaf, key);
    if (r < 0) return undefined;
    const entry = this.entryOf(leaf, r);
    this.removeFromLeaf(leaf, r, r + 1);
    return entry;
  }

  /** Removes ranks [start, end); returns how many entries were removed. */
  removeRange(start: number, end: number): number {
    if (start < 0) start = 0;
    if (end > this.size) end = this.size;
    let left = end - start;
    const removed = Math.max(left, 0);
    while (left > 0) {
      const leaf = this.descendRank(start);
      const i = this.rankInLeaf;
      const k = Math.min(left, leaf.count - i);
      this.removeFromLeaf(leaf, i, i + k);
      left -= k;
    }
    return removed;
  }

  clear(): void {
    this.hintKey = null;
    this.epoch++;
    const leaf = new Leaf();
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
    this.height = 0;
    this.leafCount = 1;
    this.dataBytes = 0;
  }

  private removeFromLeaf(leaf: Leaf, from: number, to: number): void {
    const oldWeight = leaf.weight;
    const oldUsed = leaf.used;
    removeEntries(leaf, from, to, this.ctx);
    this.dataBytes += leaf.used - oldUsed;
    this.propagate(leaf, from - to, oldWeight);
    this.fixUnderflow(leaf);
  }

  /** Updates counts/weights on the recorded path after `leaf` changed by countDelta entries. */
  private propagate(leaf: Leaf, countDelta: number, oldWeight: number): void {
    const weightChanged = !Object.is(leaf.weight, oldWeight);
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let child: Node = leaf;
    for (let d = this.height - 1; d >= 0; d--) {
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

  private splitAfterInsert(leaf: Leaf, appendMode: boolean): void {
    const parts: Leaf[] = [];
    splitLeaf(leaf, appendMode, parts, this.ctx);
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
    if (last === null) this.tail = prev;
    else last.prev = prev;
    this.leafCount += parts.length;
    this.insertSiblings(this.height - 1, leaf, parts, seps, appendMode);
  }

  /**
   * Inserts `nodes` (with separators `seps`) right after `orig`, the child taken at depth d of the recorded path,
   * whose content was just split; splits ancestors as needed.
   */
  private insertSiblings(d: number, orig: Node, nodes: Node[], seps: Uint8Array[], appendMode: boolean): void {
    this.epoch++;
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
      this.root = root;
      this.height++;
      return;
    }
    const p = this.path.nodes[d];
    const i = this.path.idx[d];
    p.counts[i] = orig.count;
    p.weights[i] = orig.weight;
    p.keys.splice(i + 1, 0, ...seps);
    packInserted(p, i + 1, seps);
    p.children.splice(i + 1, 0, ...nodes);
    p.counts.splice(i + 1, 0, ...nodes.map(nodeCount));
    p.weights.splice(i + 1, 0, ...nodes.map((c) => c.weight));
    if (p.children.length <= this.ctx.innerMax) return;
    // At most a few children were added, so one split suffices: halves normally, a full left node when appending
    // at the right edge (sequential loads then leave full nodes behind).
    const len = p.children.length;
    const at = appendMode && i + nodes.length === len - 1 ? this.ctx.innerMax : len >> 1;
    const right = new Inner(p.keys.splice(at), p.children.splice(at), p.counts.splice(at), p.weights.splice(at));
    p.kdirty = true;
    const sep = right.keys[0];
    right.keys[0] = EMPTY;
    right.count = sumOf(right.counts, right.counts.length);
    right.weight = sumOf(right.weights, right.weights.length);
    p.count = sumOf(p.counts, p.counts.length);
    p.weight = sumOf(p.weights, p.weights.length);
    this.insertSiblings(d - 1, p, [right], [sep], appendMode);
  }

  /** After entries were removed from `leaf` (path recorded): drop empty nodes, merge underfull ones. */
  private fixUnderflow(leaf: Leaf): void {
    const nodes = this.path.nodes;
    const idx = this.path.idx;
    let node: Node = leaf;
    for (let d = this.height - 1; d >= 0; d--) {
      const p = nodes[d];
      const i = idx[d];
      if (node.count === 0) {
        if (node instanceof Leaf) this.unlinkLeaf(node);
        removeChild(p, i);
      } else if (node instanceof Leaf) {
        if (!leafUnderflows(node, this.ctx)) break;
        if (!this.tryMergeLeaf(p, i)) break;
      } else {
        if (node.children.length >= this.ctx.innerMin) break;
        if (!tryMergeInner(p, i, this.ctx.innerMax)) break;
      }
      this.epoch++;
      node = p;
    }
    while (this.height > 0) {
      const r = this.root as Inner;
      if (r.children.length > 1) break;
      if (r.children.length === 0) {
        this.clear();
        return;
      }
      this.root = r.children[0];
      this.height--;
      this.epoch++;
    }
  }

  private unlinkLeaf(leaf: Leaf): void {
    if (leaf.prev === null) this.head = leaf.next ?? leaf;
    else leaf.prev.next = leaf.next;
    if (leaf.next === null) this.tail = leaf.prev ?? leaf;
    else leaf.next.prev = leaf.prev;
    leaf.prev = null;
    leaf.next = null;
    this.leafCount--;
  }

  private tryMergeLeaf(p: Inner, i: number): boolean {
    const li = i + 1 < p.children.length ? i : i - 1;
    if (li < 0) return false;
    const left = p.children[li] as Leaf;
    const right = p.children[li + 1] as Leaf;
    if (left.count + right.count > this.ctx.leafMaxEntries || left.used + right.used > this.ctx.leafMaxBytes) {
      return false;
    }
    mergeLeafInto(left, right, this.ctx);
    this.unlinkLeaf(right);
    p.counts[li] = left.count;
    p.weights[li] = left.weight;
    removeChild(p, li + 1);
    return true;
  }

  // ---- iteration / export ----

  *entries(): IterableIterator<TreeEntry> {
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.count; i++) yield this.entryOf(leaf, i);
    }
  }

  /**
   * The leaves in order, as packed entry bytes ([varint keyLen][key][varint valTag][value]...), entry count and
   * per-entry weights (null when all zero, and in a tree of derived weights): a compact snapshot form, reloadable
   * with fromPackedLeaves (given the same WeightOf for derived weights).
   */
  *packedLeaves(): IterableIterator<{ entries: Buffer; count: number; weights: Float64Array | null }> {
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      if (leaf.count === 0) continue;
      yield {
        entries: bytesInOrder(leaf),
        count: leaf.count,
        weights: leaf.weights === null ? null : Float64Array.from(leaf.weights.subarray(0, leaf.count)),
      };
    }
  }

  static fromPackedLeaves(
    leaves: Iterable<{ entries: Uint8Array; count: number; weights: Float64Array | null }>,
    weightOf?: WeightOf,
  ): PackedBTree {
    const t = new PackedBTree(undefined, weightOf);
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
        t.append(key, value, l.weights === null ? 0 : l.weights[i]);
      }
      if (p !== buf.length) malformed();
    }
    return t;
  }

  /** Shape and storage figures (O(number of leaves)), for benchmarks and MEMORY-style diagnostics. */
  stats(): { height: number; leaves: number; innerNodes: number; usedBytes: number; capacityBytes: number } {
    let capacityBytes = 0;
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      capacityBytes += leaf.buf.length + leaf.offs.byteLength + (leaf.weights === null ? 0 : leaf.weights.byteLength);
    }
    let innerNodes = 0;
    const count = (node: Node, h: number): void => {
      if (h === 0) return;
      innerNodes++;
      for (const c of (node as Inner).children) count(c, h - 1);
    };
    count(this.root, this.height);
    return { height: this.height, leaves: this.leafCount, innerNodes, usedBytes: this.dataBytes, capacityBytes };
  }

  /** Throws when an internal invariant does not hold. O(n). */
  checkInvariants(): void {
    const fail: (msg: string) => never = (msg) => {
      throw new Error(`PackedBTree invariant: ${msg}`);
    };
    const leaves: Leaf[] = [];
    let dataBytes = 0;
    const walk = (node: Node, depth: number, lo: Uint8Array | null, hi: Uint8Array | null): void => {
      if (depth === this.height) {
        if (!(node instanceof Leaf)) fail('inner node at leaf depth');
        leaves.push(node);
        dataBytes += node.used;
        if (node.count === 0 && node !== this.root) fail('empty non-root leaf');
        if (leafOverflows(node, this.ctx)) fail(`leaf overflow count=${node.count} used=${node.used}`);
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
          w += leafWeight(node, i, this.ctx.weightOf);
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
        if (node.specialKeys !== specialKeysIn(node, 0, node.count)) fail(`specialKeys ${node.specialKeys}`);
        if (!Object.is(w, node.weight) && !(Number.isNaN(w) && Number.isNaN(node.weight))) fail('leaf weight sum');
        if (this.ctx.weightOf !== null && node.weights !== null) fail('weights array in a tree of derived weights');
        if (node.weights !== null && !Array.from(node.weights.subarray(0, node.count)).some((x) => x !== 0)) {
          fail('all-zero weights array kept');
        }
        return;
      }
      if (!(node instanceof Inner)) fail('leaf above leaf depth');
      const len = node.children.length;
      if (len === 0) fail('inner node without children');
      if (node === this.root && len < 2) fail('root with a single child');
      if (len > this.ctx.innerMax) fail('inner overflow');
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
    walk(this.root, 0, null, null);
    if (leaves[0] !== this.head) fail('head');
    if (leaves[leaves.length - 1] !== this.tail) fail('tail');
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i].prev !== (i > 0 ? leaves[i - 1] : null)) fail('prev link');
      if (leaves[i].next !== (i + 1 < leaves.length ? leaves[i + 1] : null)) fail('next link');
      if (i > 0) {
        const a = leafKey(leaves[i - 1], leaves[i - 1].count - 1);
        const b = leafKey(leaves[i], 0);
        if (Buffer.compare(a, b) >= 0) fail('keys not ascending across leaves');
      }
    }
    if (leaves.length !== this.leafCount) fail('leaf count');
    if (dataBytes !== this.dataBytes) fail('data bytes');
  }
}

const MODE_INSERT = 0;
const MODE_SET = 1;
const MODE_UPDATE = 2;

/** Removes child i of p (the tree's epoch must be bumped: see PackedBTree.epoch). */
function removeChild(p: Inner, i: number): void {
  p.children.splice(i, 1);
  p.keys.splice(i, 1);
  p.kdirty = true;
  p.counts.splice(i, 1);
  p.weights.splice(i, 1);
  if (i === 0 && p.keys.length > 0) p.keys[0] = EMPTY;
  p.count = sumOf(p.counts, p.counts.length);
  p.weight = sumOf(p.weights, p.weights.length);
}

function tryMergeInner(p: Inner, i: number, innerMax: number): boolean {
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

function sumRange(node: Node, h: number, lo: number, hi: number, ctx: LeafContext): number {
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

/** takeKeys copies the bytes of several leaves into one chunk of about this size: one allocation, not one per leaf. */
const TAKE_CHUNK_BYTES = 64 * 1024;

/**
 * Bytes that takeKeys will copy for the next leaves from entry i of leaf, taking at most max entries, up to
 * TAKE_CHUNK_BYTES (but at least the whole first leaf range) so that a kept key pins a bounded amount of memory.
 */
function chunkBytes(leaf: Leaf | null, i: number, max: number, reverse: boolean): number {
  let total = 0;
  while (max > 0 && leaf !== null) {
    const k = reverse ? Math.min(max, i + 1) : Math.min(max, leaf.count - i);
    const first = reverse ? i - k + 1 : i;
    const size = stretchEnd(leaf, first, k) - stretchStart(leaf, first);
    if (total > 0 && total + size > TAKE_CHUNK_BYTES) break;
    total += size;
    max -= k;
    if (reverse) {
      leaf = leaf.prev;
      i = leaf === null ? 0 : leaf.count - 1;
    } else {
      leaf = leaf.next;
      i = 0;
    }
  }
  return total;
}

/** Position in the leaf chain; step with next()/prev(). Invalid once the tree is modified. */
export class TreeCursor {
  constructor(
    private leaf: Leaf | null,
    private idx: number,
    private readonly tree: PackedBTree | null = null,
    private readonly valueSkip = 0,
  ) {}

  /** @internal Moves to entry i of leaf, or to the start of the next leaf when i is past the end. */
  place(leaf: Leaf, i: number): void {
    if (i >= leaf.count) {
      this.leaf = leaf.next;
      this.idx = 0;
    } else {
      this.leaf = leaf;
      this.idx = i;
    }
  }

  /**
   * Moves forward to the first key ≥ key (> key when exclusive); never backward. `common` (a hint): how many
   * leading bytes key is known to share with the current key, which must not be greater than key. Stays within the
   * current leaf or one of the next two (a binary search, no descent) when the target is there, else descends once
   * (cursors from seekCursor only).
   */
  seek(key: Uint8Array, exclusive: boolean, common = 0): boolean {
    let leaf = this.leaf;
    // common prefix of key with a key ≤ the entries searched: the current key (`common`, a caller's hint) in the
    // current leaf, the previous leaf's last key in the next ones
    let below = common;
    // the current leaf and the next two: a short hop is cheaper than a descent through cold inner nodes
    for (let hop = 0; hop < 3 && leaf !== null; hop++, leaf = leaf.next) {
      const buf = leaf.buf;
      const p = leaf.offs[leaf.count - 1];
      const c = compareFrom(key, buf, keyStartAt(buf, p), keyEndAt(buf, p), 0);
      if (c > 0 || (c === 0 && exclusive)) {
        below = lcpAbove(c, key);
        continue;
      }
      // the leaf's last key bounds the search from above; in the current leaf, entries before idx are skipped
      const r = leafSearch(leaf, key, below, lcpBelow(c, key), hop === 0 ? this.idx : 0);
      const i = r < 0 ? ~r : exclusive ? r + 1 : r;
      if (hop > 0) {
        this.leaf = leaf;
        this.idx = i;
      } else if (i > this.idx) this.idx = i;
      return true;
    }
    if (leaf === null) {
      this.leaf = null;
      this.idx = 0;
      return false;
    }
    if (this.tree === null) throw new Error('TreeCursor.seek: cursor without a tree');
    this.tree.seekInto(this, key, exclusive);
    return this.leaf !== null;
  }

  get valid(): boolean {
    return this.leaf !== null;
  }

  /** Key bytes from offset `skip` (a view). */
  key(skip = 0): Buffer {
    const leaf = this.leaf!;
    const buf = leaf.buf;
    const p = leaf.offs[this.idx];
    return copyBytes(buf, keyStartAt(buf, p) + skip, keyEndAt(buf, p));
  }

  /**
   * The leaf buffer, with the key bounds in keyStart/keyEnd, without copying. The buffer is live leaf storage: read
   * it immediately, never keep it.
   */
  keyBuf(): Buffer {
    const leaf = this.leaf!;
    const buf = leaf.buf;
    const p = leaf.offs[this.idx];
    this.keyStart = keyStartAt(buf, p);
    this.keyEnd = keyEndAt(buf, p);
    return buf;
  }
  keyStart = 0;
  keyEnd = 0;

  /**
   * After keyBuf(): the bounds of the current value (after valueSkip) in valueStart/valueEnd, or -1 and false when
   * the entry has none.
   */
  valueBounds(): boolean {
    const buf = this.leaf!.buf;
    const ke = this.keyEnd;
    let tag = buf[ke];
    let vs = ke + 1;
    if (tag >= 0x80) {
      tag = readVarint(buf, ke);
      vs = varintEnd(buf, ke);
    }
    if (tag - 1 < this.valueSkip) {
      this.valueStart = -1;
      this.valueEnd = -1;
      return false;
    }
    this.valueStart = vs + this.valueSkip;
    this.valueEnd = vs + tag - 1;
    return true;
  }
  valueStart = -1;
  valueEnd = -1;

  /**
   * A stable copy of the current leaf's bytes from the current entry on, shared by the following entries of the same
   * leaf: offsets from keyBuf()/valueBounds() minus stableBase index into it. One view on a shared slab per leaf visited.
   */
  stableBuf(): Buffer {
    const leaf = this.leaf!;
    if (this.copiedLeaf !== leaf || this.stableBase > leaf.offs[this.idx]) {
      this.stableBase = leaf.unsorted ? 0 : leaf.offs[this.idx];
      this.copy = slabCopy(leaf.buf, this.stableBase, leaf.used);
      this.copiedLeaf = leaf;
      this.plain = leaf.specialKeys === 0;
      this.text = this.plain ? null : undefined;
    }
    return this.copy;
  }

  /**
   * After stableBuf(): true when every key of that copy is plain (isPlainKey: printable ASCII that JSON and XML
   * text carry as it is), so that a renderer can copy the key bytes without looking at each.
   */
  stablePlain(): boolean {
    return this.plain;
  }
  private plain = false;
  stableBase = 0;
  private copiedLeaf: Leaf | null = null;
  private copy: Buffer = EMPTY;

  /**
   * After stableBuf(): the stable copy decoded as latin1 (one call for the whole copy) when every key of the leaf is
   * plain (so ASCII), else undefined. A key at stable offsets [s, e) is then text.substring(s, e), the same string a UTF-8
   * decode of its bytes gives, without a native call per key.
   */
  stableText(): string | undefined {
    if (this.text === null) this.text = latin1Slice(this.copy, 0, this.copy.length);
    return this.text;
  }
  /** null: not decoded yet (every key ASCII) */
  private text: string | null | undefined = undefined;

  value(): Buffer | undefined {
    const leaf = this.leaf!;
    return valueAt(leaf.buf, keyEndAt(leaf.buf, leaf.offs[this.idx]), this.valueSkip);
  }

  weight(): number {
    return leafWeight(this.leaf!, this.idx, this.tree === null ? null : this.tree.ctx.weightOf);
  }

  /**
   * Appends up to `max` keys (bytes from offset `skip` of each key) to `out`, walking forward, or backward when
   * reverse, and leaves the cursor after the last one taken; returns how many were taken. The keys are views on
   * fresh copies of the leaves' bytes, several leaves per copy (up to TAKE_CHUNK_BYTES): one allocation per chunk
   * instead of one per key or per leaf, and never a view on leaf storage.
   */
  takeKeys(max: number, skip: number, reverse: boolean, out: Buffer[]): number {
    let taken = 0;
    let chunk: Buffer = EMPTY;
    let chunkPos = 0;
    while (taken < max && this.leaf !== null) {
      const leaf = this.leaf;
      const i = this.idx;
      const k = reverse ? Math.min(max - taken, i + 1) : Math.min(max - taken, leaf.count - i);
      const first = reverse ? i - k + 1 : i;
      const buf = leaf.buf;
      const offs = leaf.offs;
      const base = stretchStart(leaf, first);
      const size = stretchEnd(leaf, first, k) - base;
      if (chunkPos + size > chunk.length) {
        chunk = allocBuf(chunkBytes(leaf, i, max - taken, reverse));
        chunkPos = 0;
      }
      buf.copy(chunk, chunkPos, base, base + size);
      const ab = chunk.buffer;
      // byte position p of the leaf is at (shift + p) in the chunk's ArrayBuffer
      const shift = chunk.byteOffset + chunkPos - base;
      chunkPos += size;
      const step = reverse ? -1 : 1;
      // the entry offsets are read directly (an inlined keyStartAt) and each key is a view made without subarray
      for (let j = 0, e = i; j < k; j++, e += step) {
        const p = offs[e];
        const kl = buf[p];
        let start = p + 1;
        let len = kl;
        if (kl >= 0x80) {
          len = readVarint(buf, p);
          start = varintEnd(buf, p);
        }
        out.push(viewOf(ab, shift + start + skip, len > skip ? len - skip : 0));
      }
      taken += k;
      this.advance(leaf, i, k, reverse);
    }
    return taken;
  }

  /**
   * Like takeKeys, but the keys come back as one RESP array of bulk strings: `*<n>\r\n`, then `$<len>\r\n<key>\r\n`
   * for each key (its bytes from offset `skip`), in one fresh Buffer (a first pass sizes it, a second copies the
   * bytes); n is how many keys were taken (fewer than max at the end of the tree). Leaves the cursor after the last
   * key taken. The same bytes are a valid RESP2 and RESP3 reply. (The Buffer is a view on a slightly larger
   * allocation, at most one leaf bigger: see the staging area below. `alloc`, when given, provides that memory.)
   */
  takeKeysResp(max: number, skip: number, reverse: boolean, alloc?: (n: number) => Buffer): Buffer {
    const step = reverse ? -1 : 1;
    // pass 1: how many keys, their RESP bytes, and the largest leaf stretch they come from
    let n = 0;
    let size = 0;
    let stage = 0;
    let leaf = this.leaf;
    let i = this.idx;
    while (n < max && leaf !== null) {
      const k = reverse ? Math.min(max - n, i + 1) : Math.min(max - n, leaf.count - i);
      const buf = leaf.buf;
      const offs = leaf.offs;
      const first = reverse ? i - k + 1 : i;
      const stretch = stretchEnd(leaf, first, k) - stretchStart(leaf, first);
      if (stretch > stage && stretch > TreeCursor.RESP_DIRECT_STRETCH) stage = stretch;
      for (let j = 0, e = first; j < k; j++, e++) {
        const p = offs[e];
        let len = buf[p];
        if (len >= 0x80) len = readVarint(buf, p);
        len = len > skip ? len - skip : 0;
        size += len + 5 + (len < 10 ? 1 : len < 100 ? 2 : len < 1000 ? 3 : TreeCursor.decimalDigits(len));
      }
      n += k;
      if (reverse) {
        leaf = leaf.prev;
        i = leaf === null ? 0 : leaf.count - 1;
      } else {
        leaf = leaf.next;
        i = 0;
      }
    }
    size += 3 + TreeCursor.decimalDigits(n);
    // Pass 2. Each leaf stretch is copied once (one native copy) to a staging area after the reply, and the keys
    // are moved from there with copyWithin: many times cheaper than one Buffer#copy per key.
    const out = alloc === undefined ? Buffer.allocUnsafe(size + stage) : alloc(size + stage);
    out[0] = 0x2a;
    let o = TreeCursor.writeDecimal(out, 1, n);
    out[o++] = 0x0d;
    out[o++] = 0x0a;
    let taken = 0;
    while (taken < n) {
      leaf = this.leaf!;
      i = this.idx;
      const k = reverse ? Math.min(n - taken, i + 1) : Math.min(n - taken, leaf.count - i);
      const buf = leaf.buf;
      const offs = leaf.offs;
      const first = reverse ? i - k + 1 : i;
      const base = stretchStart(leaf, first);
      const stretch = stretchEnd(leaf, first, k) - base;
      // a short stretch is copied byte by byte below, without staging (a native copy costs more than it saves)
      const direct = stretch <= TreeCursor.RESP_DIRECT_STRETCH;
      if (!direct) buf.copy(out, size, base, base + stretch);
      // byte position p of the leaf is at p + shift in out
      const shift = size - base;
      for (let j = 0, e = i; j < k; j++, e += step) {
        const p = offs[e];
        let start = p + 1;
        let len = buf[p];
        if (len >= 0x80) {
          len = readVarint(buf, p);
          start = varintEnd(buf, p);
        }
        if (len > skip) {
          start += skip;
          len -= skip;
        } else {
          len = 0;
        }
        out[o++] = 0x24;
        if (len < 10) {
          out[o++] = 0x30 + len;
        } else if (len < 100) {
          const q = (len / 10) | 0;
          out[o++] = 0x30 + q;
          out[o++] = 0x30 + len - q * 10;
        } else {
          o = TreeCursor.writeDecimal(out, o, len);
        }
        out[o++] = 0x0d;
        out[o++] = 0x0a;
        if (direct || len <= 8) {
          for (let b = start, end = start + len; b < end; b++) out[o++] = buf[b];
        } else {
          out.copyWithin(o, start + shift, start + shift + len);
          o += len;
        }
        out[o++] = 0x0d;
        out[o++] = 0x0a;
      }
      taken += k;
      this.advance(leaf, i, k, reverse);
    }
    return out.length === size ? out : out.subarray(0, size);
  }

  /** Moves past the k entries taken from entry i of leaf (backward when reverse), onto the neighbour leaf if needed. */
  private advance(leaf: Leaf, i: number, k: number, reverse: boolean): void {
    if (reverse) {
      this.leaf = i - k >= 0 ? leaf : leaf.prev;
      this.idx = i - k >= 0 ? i - k : this.leaf === null ? 0 : this.leaf.count - 1;
    } else if (i + k < leaf.count) {
      this.idx = i + k;
    } else {
      this.leaf = leaf.next;
      this.idx = 0;
    }
  }

  /** takeKeysResp copies the keys of a leaf stretch up to this many bytes byte by byte, without staging */
  private static readonly RESP_DIRECT_STRETCH = 768;

  /** Number of decimal digits of a non-negative integer. */
  private static decimalDigits(v: number): number {
    let d = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) d++;
    return d;
  }

  /** Writes a non-negative integer in decimal at out[o…]; returns the position after it. */
  private static writeDecimal(out: Buffer, o: number, v: number): number {
    const d = TreeCursor.decimalDigits(v);
    let t = v;
    for (let p = o + d - 1; p >= o; p--) {
      const q = Math.floor(t / 10);
      out[p] = 0x30 + t - q * 10;
      t = q;
    }
    return o + d;
  }

  /**
   * How many entries from the current one on are known to start with prefix: 0 when the current one does not, the
   * rest of the leaf when its last key does too (keys with a prefix are contiguous), else 1. One check per leaf
   * instead of one per key for a scan under a prefix.
   */
  runWithPrefix(prefix: Uint8Array): number {
    const leaf = this.leaf;
    if (leaf === null) return 0;
    const buf = leaf.buf;
    let p = leaf.offs[this.idx];
    if (!startsWith(buf, keyStartAt(buf, p), keyEndAt(buf, p), prefix)) return 0;
    const last = leaf.count - 1;
    if (this.idx === last) return 1;
    p = leaf.offs[last];
    return startsWith(buf, keyStartAt(buf, p), keyEndAt(buf, p), prefix) ? leaf.count - this.idx : 1;
  }

  next(): boolean {
    const leaf = this.leaf;
    if (leaf === null) return false;
    if (++this.idx < leaf.count) return true;
    this.leaf = leaf.next;
    this.idx = 0;
    return this.leaf !== null;
  }

  prev(): boolean {
    const leaf = this.leaf;
    if (leaf === null) return false;
    if (--this.idx >= 0) return true;
    this.leaf = leaf.prev;
    this.idx = this.leaf === null ? 0 : this.leaf.count - 1;
    return this.leaf !== null;
  }
}
