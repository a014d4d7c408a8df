/**
 * TreeCursor — a position in a packed B+tree's leaf chain (a leaf and an entry index), for range reads: stepping,
 * forward seeks, copies of keys and values, and bulk takes of keys (takeKeys as Buffers, takeKeysResp as one RESP
 * array).
 *
 * A cursor's state is its own (its leaf and index, the bounds of the last key and value it read, its stable copy);
 * it reads the tree's leaves and never writes them, so cursors of one tree, or of several, can interleave freely. A
 * cursor is valid until its tree is modified (a write may move, split or free the leaf it stands on); writes to other
 * trees do not affect it. Its seek descends through its tree (PackedBTree.seekInto) when the target is beyond the
 * next leaves, which rewrites that tree's descent path but not its contents.
 *
 * Cost: next/prev O(1); seek O(log L) within the current leaf or the next two, else one descent O(h·log F + log L);
 * a take of m keys O(m + bytes copied), one allocation per ~64 KiB of leaves (takeKeys) or one for the whole reply
 * (takeKeysResp).
 */
import { latin1Slice } from '../../buffer-slices';
import { allocBuf, slabCopy } from './buffer-pools';
import { compareFrom, copyBytes, EMPTY, lcpAbove, lcpBelow, readVarint, startsWith, varintEnd, viewOf } from './bytes';
import { keyEndAt, keyStartAt, type Leaf, leafSearch, leafWeight, stretchEnd, stretchStart, valueAt } from './leaf';
import type { PackedBTree } from './tree';

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
