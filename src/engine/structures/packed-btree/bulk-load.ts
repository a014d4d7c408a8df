/**
 * Building a packed B+tree from entries in ascending key order, leaf by leaf (a snapshot restore, a copy): each
 * entry's bytes are written straight into the leaf being filled, whose buffer is cut to size when it is full, and
 * the inner levels are built bottom-up at the end. No per-entry object is made, and a restore that hands its entries
 * over front-coded (addFrontCoded: the length of the prefix shared with the previous key, then the rest) never
 * materializes a key at all.
 *
 * Leaves are filled to the tree's limits (leafMaxEntries entries or leafMaxBytes bytes) and their buffers hold the
 * entries exactly, as a sequential load leaves them: the least memory at rest. The buffers are views on shared slabs
 * (SLAB_BYTES). Inner nodes take up to innerMax
 * children, spread evenly over the nodes of a level.
 *
 * Cost: O(bytes) for the entries (each key and value written into the leaf's staging area, which is copied into
 * the leaf's buffer once full), O(leaves) for the rest. Memory: the finished leaves and one leaf's staging area.
 */
import { takeLeafBuf } from './buffer-pools';
import { EMPTY, varintSize, writeVarint } from './bytes';
import { Inner, type Node } from './inner';
import { Leaf, separatorOf } from './leaf';
import { DEFAULT_LIMITS, type KeyClassifier, LeafContext, type TreeLimits, type WeightOf } from './limits';
import { PackedBTree } from './tree';

/** An entry out of order or malformed input: the message says which. */
export class BulkLoadError extends Error {
  constructor(message: string) {
    super(`PackedBTree bulk load: ${message}`);
    this.name = 'BulkLoadError';
  }
}

/**
 * Copies of at most this many bytes are a plain loop: a restore copies two short runs per member (key suffix and
 * payload, ~50 bytes each), where a native copy's call or a subarray view cost more than the copy itself.
 */
const LOOP_COPY_MAX = 128;

function copyInto(src: Uint8Array, s: number, len: number, dst: Buffer, at: number): void {
  dst.set(src.subarray(s, s + len), at);
}

/**
 * Finished leaves' buffers are cut from slabs of this size: a restore makes one leaf buffer per ~8 KiB of data, and
 * an ArrayBuffer of its own cost ~15 µs each on the benchmark machine (allocation and external-memory accounting:
 * 0.2 s of a 1M-object restore), a view on a slab a fraction of that. A leaf that later grows or shrinks takes a
 * buffer of its own (buffer-pools.ts) and drops its view; a slab is freed once no leaf holds a view on it, so at
 * worst a few untouched leaves keep a slab of 64 such buffers alive. A slab's unused tail is under one leaf.
 */
const SLAB_BYTES = 512 * 1024;

export class TreeLoader {
  readonly ctx: LeafContext;
  private readonly leaves: Leaf[] = [];
  /** the leaf being filled: its entries' bytes, offsets and (given weights) weights */
  private stage: Buffer;
  private readonly offs: Uint32Array;
  private readonly weights: Float64Array;
  private n = 0;
  private used = 0;
  private anyWeight = false;
  private floatWeight = false;
  private leafWeight = 0;
  private flagged = 0;
  /**
   * Where the previous key's bytes are (front coding and the order check): in the stage while its leaf is filled,
   * then in that leaf's buffer at the same offset. prevLen -1 before the first key.
   */
  private prevBuf: Buffer = EMPTY;
  private prevAt = 0;
  private prevLen = -1;
  private dataBytes = 0;
  private slab = new ArrayBuffer(0);
  private slabPos = 0;
  /** entries added */
  size = 0;
  /** the longest key added */
  maxKeyLength = 0;

  constructor(
    limits: TreeLimits = DEFAULT_LIMITS,
    private readonly weightOf?: WeightOf,
    private readonly flagKey?: KeyClassifier,
  ) {
    this.ctx = new LeafContext(limits, weightOf ?? null, flagKey ?? null);
    this.stage = Buffer.allocUnsafe(limits.leafMaxBytes * 2);
    this.offs = new Uint32Array(limits.leafMaxEntries);
    this.weights = new Float64Array(limits.leafMaxEntries);
  }

  /** Adds an entry whose key is greater than every key added before. */
  add(key: Uint8Array, value?: Uint8Array, weight = 0): void {
    if (value === undefined) this.addFrontCoded(0, key, 0, key.length, EMPTY, 0, -1, weight);
    else this.addFrontCoded(0, key, 0, key.length, value, 0, value.length, weight);
  }

  /**
   * Adds an entry whose key is the previous key's first `shared` bytes followed by src[s, s + len), with the value
   * val[vs, vs + vlen) (vlen -1: no value) and `weight` (ignored when the tree derives weights). The key must be
   * greater than the previous one.
   */
  addFrontCoded(
    shared: number,
    src: Uint8Array,
    s: number,
    len: number,
    val: Uint8Array,
    vs: number,
    vlen: number,
    weight: number,
  ): void {
    const prevLen = this.prevLen;
    if (shared > Math.max(prevLen, 0)) throw new BulkLoadError('a key shares more than the previous key has');
    const kl = shared + len;
    if (prevLen >= 0 && !this.greater(shared, src, s, len)) throw new BulkLoadError('keys must be ascending');
    const vtag = vlen < 0 ? 0 : vlen + 1;
    const size = varintSize(kl) + kl + varintSize(vtag) + Math.max(vlen, 0);
    if (this.n > 0 && (this.n === this.ctx.leafMaxEntries || this.used + size > this.ctx.leafMaxBytes)) {
      this.closeLeaf();
    }
    if (this.used + size > this.stage.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.stage.length * 2, this.used + size));
      this.stage.copy(bigger, 0, 0, this.used);
      if (this.prevBuf === this.stage) this.prevBuf = bigger;
      this.stage = bigger;
    }
    const st = this.stage;
    const prev = this.prevBuf;
    const pa = this.prevAt;
    const start = this.used;
    let p = writeVarint(st, start, kl);
    const ks = p;
    for (let i = 0; i < shared; i++) st[p + i] = prev[pa + i];
    p += shared;
    if (len <= LOOP_COPY_MAX) for (let i = 0; i < len; i++) st[p + i] = src[s + i];
    else copyInto(src, s, len, st, p);
    p += len;
    if (vlen < 0) st[p++] = 0;
    else {
      p = writeVarint(st, p, vtag);
      if (vlen <= LOOP_COPY_MAX) for (let i = 0; i < vlen; i++) st[p + i] = val[vs + i];
      else copyInto(val, vs, vlen, st, p);
      p += vlen;
    }
    this.prevBuf = st;
    this.prevAt = ks;
    this.prevLen = kl;
    if (kl > this.maxKeyLength) this.maxKeyLength = kl;

    const i = this.n;
    this.offs[i] = start;
    if (this.weightOf !== undefined) {
      if (vlen >= 0) this.leafWeight += this.weightOf(st, p - vlen, p);
    } else {
      this.weights[i] = weight;
      if (weight !== 0) {
        this.anyWeight = true;
        if (!(weight >= 0 && weight < 2 ** 32 && Number.isInteger(weight))) this.floatWeight = true;
      }
    }
    if (this.flagKey?.(st, ks, ks + kl)) this.flagged++;
    this.n = i + 1;
    this.used = p;
    this.size++;
  }

  /** Is the key prev[0, shared) + src[s, s + len) greater than the previous key? */
  private greater(shared: number, src: Uint8Array, s: number, len: number): boolean {
    const prev = this.prevBuf;
    const at = this.prevAt + shared;
    const prevLen = this.prevLen;
    const m = Math.min(prevLen - shared, len);
    for (let i = 0; i < m; i++) {
      const a = src[s + i];
      const b = prev[at + i];
      if (a !== b) return a > b;
    }
    return shared + len > prevLen;
  }

  private closeLeaf(): void {
    const n = this.n;
    const used = this.used;
    const leaf = new Leaf();
    const buf = this.leafBuf(used);
    this.stage.copy(buf, 0, 0, used);
    leaf.buf = buf;
    // the previous key now lives in the leaf's buffer, at the offset it had in the stage
    this.prevBuf = buf;
    const offs = buf.length > 0x10000 ? new Uint32Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) offs[i] = this.offs[i];
    leaf.offs = offs;
    leaf.count = n;
    leaf.used = used;
    leaf.flaggedKeys = this.flagged;
    if (this.weightOf !== undefined) leaf.weight = this.leafWeight;
    else if (this.anyWeight) {
      const w = this.floatWeight ? new Float64Array(n) : new Uint32Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        w[i] = this.weights[i];
        sum += this.weights[i];
      }
      leaf.weights = w;
      leaf.weight = sum;
    }
    const last = this.leaves.length > 0 ? this.leaves[this.leaves.length - 1] : null;
    if (last !== null) {
      last.next = leaf;
      leaf.prev = last;
    }
    this.leaves.push(leaf);
    this.dataBytes += used;
    this.n = 0;
    this.used = 0;
    this.anyWeight = false;
    this.floatWeight = false;
    this.leafWeight = 0;
    this.flagged = 0;
  }

  /**
   * A buffer of exactly n bytes for a finished leaf: a view on the current slab (see SLAB_BYTES), or one of its own
   * for a leaf too large for slabs.
   */
  private leafBuf(n: number): Buffer {
    if (n > SLAB_BYTES >> 3) return takeLeafBuf(n);
    if (this.slabPos + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.slabPos = 0;
    }
    const buf = Buffer.from(this.slab, this.slabPos, n);
    this.slabPos += (n + 7) & ~7;
    return buf;
  }

  /** The tree of every entry added (the loader is spent afterwards). */
  finish(): PackedBTree {
    if (this.n > 0) this.closeLeaf();
    const leaves = this.leaves;
    if (leaves.length === 0) return PackedBTree.fromNodes(this.ctx, new Leaf(), 0, 1, 0);
    let level: Node[] = leaves;
    let firsts: Uint8Array[] = leaves.map((l, i) => (i === 0 ? EMPTY : separatorOf(l)));
    let height = 0;
    const max = this.ctx.innerMax;
    while (level.length > 1) {
      const nodes = Math.ceil(level.length / max);
      const up: Node[] = [];
      const upFirsts: Uint8Array[] = [];
      let at = 0;
      for (let k = 0; k < nodes; k++) {
        // spread evenly: the first (length mod nodes) nodes take one child more
        const take = Math.floor(level.length / nodes) + (k < level.length % nodes ? 1 : 0);
        const children = level.slice(at, at + take);
        const keys = firsts.slice(at, at + take);
        upFirsts.push(keys[0]);
        keys[0] = EMPTY;
        const counts = children.map((c) => c.count);
        const weights = children.map((c) => c.weight);
        const node = new Inner(keys, children, counts, weights);
        let count = 0;
        let weight = 0;
        for (let i = 0; i < take; i++) {
          count += counts[i];
          weight += weights[i];
        }
        node.count = count;
        node.weight = weight;
        up.push(node);
        at += take;
      }
      level = up;
      firsts = upFirsts;
      height++;
    }
    return PackedBTree.fromNodes(
      this.ctx,
      level[0],
      height,
      leaves.length,
      this.dataBytes,
      leaves[0],
      leaves[leaves.length - 1],
    );
  }
}
