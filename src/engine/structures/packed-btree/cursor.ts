/**
 * TreeCursor — a position in a packed B+tree's leaf chain (a leaf and an entry index), for range reads: stepping,
 * forward seeks, copies of keys and values, and bulk takes of keys: takeStretches hands them to a StretchSink a leaf
 * stretch at a time (the RESP encoder of range replies is one, see src/protocol/key-range.ts), takeKeys as Buffers.
 *
 * A cursor's state is its own (its leaf and index, the bounds of the last key and value it read, its stable copy);
 * it reads the tree's leaves and never writes them, so cursors of one tree, or of several, can interleave freely. A
 * cursor is valid until its tree is modified (a write may move, split or free the leaf it stands on); writes to other
 * trees do not affect it. Its seek descends through its tree (PackedBTree.seekInto) when the target is beyond the
 * next leaves, which rewrites that tree's descent path but not its contents.
 *
 * Cost: next/prev O(1); seek O(log L) within the current leaf or the next two, else one descent O(h·log F + log L);
 * a take of m keys O(m + bytes copied): takeStretches allocates nothing, takeKeys one chunk per ~64 KiB of leaves.
 */
import { latin1Slice } from '../../buffer-slices';
import { allocBuf, slabCopy } from './buffer-pools';
import { compareFrom, copyBytes, EMPTY, lcpAbove, lcpBelow, readVarint, startsWith, varintEnd, viewOf } from './bytes';
import { keyEndAt, keyStartAt, type Leaf, leafSearch, leafWeight, stretchEnd, stretchStart, valueAt } from './leaf';
import type { PackedBTree } from './tree';

/** takeKeys copies the bytes of several leaves into one chunk of about this size: one allocation, not one per leaf. */
const TAKE_CHUNK_BYTES = 64 * 1024;

/**
 * What a range read hands its keys to, one leaf stretch at a time (TreeCursor.takeStretches): k keys, key j at
 * buf[spans[2j], spans[2j] + spans[2j + 1]) (its bytes from the offset `skip` asked for), in the order of the walk,
 * all of them inside buf[base, end). `buf` is live leaf storage and `spans` the tree's scratch: read both before
 * returning, never keep them, and do not walk the same tree meanwhile.
 */
export interface StretchSink {
  stretch(buf: Buffer, base: number, end: number, spans: Int32Array, k: number): void;
}

/** How many entries a walk takes from entry i of leaf: at most max, up to the leaf's end (its start when reverse). */
function stretchCount(leaf: Leaf, i: number, max: number, reverse: boolean): number {
  return reverse ? Math.min(max, i + 1) : Math.min(max, leaf.count - i);
}

/** Where a walk enters the leaf it steps onto (its first entry, its last when reverse; 0 past the end). */
function entryIndex(leaf: Leaf | null, reverse: boolean): number {
  return leaf === null || !reverse ? 0 : leaf.count - 1;
}

/**
 * Writes the (start, length) in leaf.buf of k keys from entry i on (step -1: backward), their bytes from offset skip
 * (length 0 for a shorter key), to spans[0, 2k). The entry offsets are read directly (an inlined keyStartAt).
 */
function fillSpans(leaf: Leaf, i: number, k: number, step: number, skip: number, spans: Int32Array): void {
  const buf = leaf.buf;
  const offs = leaf.offs;
  for (let j = 0, e = i, w = 0; j < k; j++, e += step, w += 2) {
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
    spans[w] = start;
    spans[w + 1] = len;
  }
}

/**
 * takeKeys' sink: copies each stretch into a chunk (the stretches of several leaves, up to TAKE_CHUNK_BYTES, so that
 * a kept key pins a bounded amount of memory) and makes each key a view on the chunk, made without subarray.
 */
class TakeViews implements StretchSink {
  private chunk: Buffer = EMPTY;
  private chunkPos = 0;
  /** keys still to take, the current stretch's included */
  left: number;

  constructor(
    private readonly cursor: TreeCursor,
    max: number,
    private readonly reverse: boolean,
    private readonly out: Buffer[],
  ) {
    this.left = max;
  }

  stretch(buf: Buffer, base: number, end: number, spans: Int32Array, k: number): void {
    const size = end - base;
    if (this.chunkPos + size > this.chunk.length) {
      // the cursor still stands on the stretch's first entry; a chunk holds at least the whole stretch
      this.chunk = allocBuf(this.cursor.stretchBytes(this.left, this.reverse, TAKE_CHUNK_BYTES));
      this.chunkPos = 0;
    }
    const chunk = this.chunk;
    buf.copy(chunk, this.chunkPos, base, end);
    const ab = chunk.buffer;
    // byte position p of the leaf is at (shift + p) in the chunk's ArrayBuffer
    const shift = chunk.byteOffset + this.chunkPos - base;
    this.chunkPos += size;
    this.left -= k;
    const out = this.out;
    for (let w = 0, n = 2 * k; w < n; w += 2) out.push(viewOf(ab, shift + spans[w], spans[w + 1]));
  }
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
      this.plain = leaf.flaggedKeys === 0 && this.tree !== null && this.tree.ctx.flagKey !== null;
      this.text = this.plain ? null : undefined;
    }
    return this.copy;
  }

  /**
   * After stableBuf(): true when the tree has a KeyClassifier and it flags no key of that leaf (Leaf.flaggedKeys), so
   * that a reader can treat every key of the copy alike (the index's classifier flags the keys that are not plain:
   * a renderer then copies their bytes without looking at each).
   */
  stablePlain(): boolean {
    return this.plain;
  }
  private plain = false;
  stableBase = 0;
  private copiedLeaf: Leaf | null = null;
  private copy: Buffer = EMPTY;

  /**
   * After stableBuf(): the stable copy decoded as latin1 (one call for the whole copy) when stablePlain(), else
   * undefined. With a classifier that flags every key holding a byte ≥ 0x80 (the index's does), a key at stable
   * offsets [s, e) is then text.substring(s, e), the same string a UTF-8 decode of its bytes gives, without a native
   * call per key.
   */
  stableText(): string | undefined {
    if (this.text === null) this.text = latin1Slice(this.copy, 0, this.copy.length);
    return this.text;
  }
  /** null: not decoded yet (stablePlain) */
  private text: string | null | undefined = undefined;

  value(): Buffer | undefined {
    const leaf = this.leaf!;
    return valueAt(leaf.buf, keyEndAt(leaf.buf, leaf.offs[this.idx]), this.valueSkip);
  }

  weight(): number {
    return leafWeight(this.leaf!, this.idx, this.tree === null ? null : this.tree.ctx.weightOf);
  }

  /**
   * Walks up to `max` keys forward (backward when reverse), handing them to sink a leaf stretch at a time (bytes from
   * offset `skip` of each key), and leaves the cursor after the last one; returns how many were taken. Nothing is
   * allocated per key or per stretch. While a stretch is handed out the cursor still stands on its first entry.
   */
  takeStretches(max: number, skip: number, reverse: boolean, sink: StretchSink): number {
    let spans = this.tree === null ? null : this.tree.ctx.spans;
    let taken = 0;
    const step = reverse ? -1 : 1;
    while (taken < max && this.leaf !== null) {
      const leaf = this.leaf;
      const i = this.idx;
      const k = stretchCount(leaf, i, max - taken, reverse);
      if (spans === null || spans.length < 2 * k) {
        spans = new Int32Array(2 * Math.max(k, leaf.count, this.tree === null ? 0 : this.tree.ctx.leafMaxEntries + 1));
        if (this.tree !== null) this.tree.ctx.spans = spans;
      }
      fillSpans(leaf, i, k, step, skip, spans);
      const first = reverse ? i - k + 1 : i;
      sink.stretch(leaf.buf, stretchStart(leaf, first), stretchEnd(leaf, first, k), spans, k);
      taken += k;
      this.advance(leaf, i, k, reverse);
    }
    return taken;
  }

  /**
   * Appends up to `max` keys (bytes from offset `skip` of each key) to `out`, walking forward, or backward when
   * reverse, and leaves the cursor after the last one taken; returns how many were taken. The keys are views on
   * fresh copies of the leaves' bytes, several leaves per copy (up to TAKE_CHUNK_BYTES): one allocation per chunk
   * instead of one per key or per leaf, and never a view on leaf storage.
   */
  takeKeys(max: number, skip: number, reverse: boolean, out: Buffer[]): number {
    return this.takeStretches(max, skip, reverse, new TakeViews(this, max, reverse, out));
  }

  /**
   * The bytes of leaf storage spanned by the stretches of the next `max` entries (backward when reverse), without
   * moving: their sum, stopping before it passes `limit` (the first stretch always counts), and the largest one
   * counted in largestStretch. A bound on the bytes of those keys, and what takeKeys copies.
   */
  stretchBytes(max: number, reverse: boolean, limit = Number.POSITIVE_INFINITY): number {
    let leaf = this.leaf;
    let i = this.idx;
    let total = 0;
    let largest = 0;
    while (max > 0 && leaf !== null) {
      const k = stretchCount(leaf, i, max, reverse);
      const first = reverse ? i - k + 1 : i;
      const size = stretchEnd(leaf, first, k) - stretchStart(leaf, first);
      if (total > 0 && total + size > limit) break;
      total += size;
      if (size > largest) largest = size;
      max -= k;
      leaf = reverse ? leaf.prev : leaf.next;
      i = entryIndex(leaf, reverse);
    }
    this.largestStretch = largest;
    return total;
  }
  /** after stretchBytes(): the largest stretch it counted */
  largestStretch = 0;

  /** Moves past the k entries taken from entry i of leaf (backward when reverse), onto the neighbour leaf if needed. */
  private advance(leaf: Leaf, i: number, k: number, reverse: boolean): void {
    const to = reverse ? i - k : i + k;
    if (to >= 0 && to < leaf.count) {
      this.idx = to;
    } else {
      this.leaf = reverse ? leaf.prev : leaf.next;
      this.idx = entryIndex(this.leaf, reverse);
    }
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
