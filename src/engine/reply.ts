/**
 * Typed reply values. Commands return these; front ends render them (RESP2, RESP3, JSON).
 * Nothing here knows about sockets or protocols.
 */
import type { KeyRange } from './structures/packed-btree';

export type Reply =
  | { readonly t: 'simple'; readonly v: string }
  | { readonly t: 'error'; readonly v: string }
  /** a bigint only when the value is beyond ±2^53 (int64 replies such as INCR/HINCRBY near the limits) */
  | { readonly t: 'int'; readonly v: number | bigint }
  | { readonly t: 'bulk'; readonly v: Buffer }
  | { readonly t: 'null' }
  | { readonly t: 'nullarray' }
  /** `packed`: the array's RESP encoding, when it was built that way (see KeyRangeReply) */
  | { readonly t: 'array'; readonly v: Reply[]; readonly packed?: Buffer }
  | KeyRangeReply
  | { readonly t: 'map'; readonly v: Array<[Reply, Reply]> }
  | { readonly t: 'set'; readonly v: Reply[] }
  /** `text`: the exact digits to send (Redis formats some doubles its own way, e.g. geo coordinates); else v's */
  | { readonly t: 'double'; readonly v: number; readonly text?: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'verbatim'; readonly v: string; readonly format: string }
  | { readonly t: 'push'; readonly v: Reply[] };

export const OK: Reply = Object.freeze({ t: 'simple', v: 'OK' }) as Reply;
export const QUEUED: Reply = Object.freeze({ t: 'simple', v: 'QUEUED' }) as Reply;
export const NULL: Reply = Object.freeze({ t: 'null' }) as Reply;
export const NULL_ARRAY: Reply = Object.freeze({ t: 'nullarray' }) as Reply;
export const EMPTY_ARRAY: Reply = Object.freeze({ t: 'array', v: Object.freeze([]) as unknown as Reply[] }) as Reply;

const SMALL_INTS: Reply[] = [];
for (let i = -1; i <= 1024; i++) SMALL_INTS.push(Object.freeze({ t: 'int', v: i }) as Reply);

export const simple = (v: string): Reply => ({ t: 'simple', v });
export const error = (v: string): Reply => ({ t: 'error', v });
export const int = (v: number): Reply =>
  v >= -1 && v <= 1024 && Number.isInteger(v) ? SMALL_INTS[v + 1]! : { t: 'int', v };
/** An exact 64-bit integer reply: a number when safely representable, else the bigint itself. */
export const int64 = (v: bigint): Reply => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? int(n) : { t: 'int', v };
};
export const bulk = (v: Buffer): Reply => ({ t: 'bulk', v });
export const bulkStr = (v: string): Reply => ({ t: 'bulk', v: Buffer.from(v, 'utf8') });
export const bulkOrNull = (v: Buffer | undefined | null): Reply => (v == null ? NULL : { t: 'bulk', v });
export const array = (v: Reply[]): Reply => ({ t: 'array', v });
export const bulkArray = (v: Buffer[]): Reply => ({ t: 'array', v: v.map(bulk) });
export const map = (v: Array<[Reply, Reply]>): Reply => ({ t: 'map', v });
export const set = (v: Reply[]): Reply => ({ t: 'set', v });
export const double = (v: number, text?: string): Reply =>
  text === undefined ? { t: 'double', v } : { t: 'double', v, text };
export const bool = (v: boolean): Reply => ({ t: 'bool', v });
export const verbatim = (v: string, format = 'txt'): Reply => ({ t: 'verbatim', v, format });
export const push = (v: Reply[]): Reply => ({ t: 'push', v });

/**
 * An array of bulk strings read from a sorted set's tree, the members of a range (ZRANGE and its forms without
 * scores): `keys` is a KeyRange, which reads the keys straight from the tree's leaves when asked and which the tree
 * settles (copies out) before it changes, so the reply is the range as it was when its command ran, however late it is
 * rendered. The RESP writer encodes it from the leaves in one pass per leaf (src/protocol/key-range.ts) into `packed`,
 * `*N\r\n` + `$len\r\n<bytes>\r\n` for each item (the same bytes in RESP2 and RESP3), memory from replyBuffers that the
 * RESP connection gives back once the socket took it, and releases the range. Every other consumer reads `v`: bulk
 * replies decoded from `packed` once it is written (views on it, which nobody modifies), else copies of the keys.
 */
export class KeyRangeReply {
  readonly t = 'array' as const;
  /** the RESP encoding, once the RESP writer made it */
  packed: Buffer | undefined = undefined;
  private items: Reply[] | undefined;

  constructor(readonly keys: KeyRange) {}

  get v(): Reply[] {
    if (this.items === undefined) {
      this.items = this.packed !== undefined ? decodePackedBulks(this.packed) : this.keys.keys().map(bulk);
    }
    return this.items;
  }
}

/** Decodes `*N\r\n` + N × `$len\r\n<bytes>\r\n`; throws on anything else. */
export function decodePackedBulks(b: Buffer): Reply[] {
  let p = 0;
  const header = (type: number): number => {
    if (b[p] !== type) throw new Error('packed bulk array: malformed');
    let v = 0;
    p++;
    while (b[p] !== 0x0d) {
      const d = b[p++]! - 0x30;
      if (!(d >= 0 && d <= 9)) throw new Error('packed bulk array: malformed');
      v = v * 10 + d;
    }
    p += 2;
    return v;
  };
  const n = header(0x2a);
  const out: Reply[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = header(0x24);
    out[i] = { t: 'bulk', v: b.subarray(p, p + len) };
    p += len + 2;
  }
  if (p !== b.length) throw new Error('packed bulk array: malformed');
  return out;
}

/**
 * Recycled memory for large pre-encoded replies (KeyRangeReply.packed). Every fresh large Buffer is external memory
 * to V8, and a stream of large range replies makes V8 run full mark-compacts ("external memory pressure"). The RESP
 * connection gives a reply's bytes back once the socket took all of them synchronously; anything not given back is
 * simply garbage-collected. Buffers come in power-of-two classes from 16 KiB.
 */
export class ReplyBufferPool {
  private readonly free: ArrayBuffer[][] = [];
  /** handed out and not given back: give() accepts only these, once */
  private readonly out = new WeakSet<ArrayBufferLike>();

  /** bytes in the free lists */
  private pooled = 0;

  constructor(
    private readonly minBytes = 16 * 1024,
    private readonly maxBytes = 4 * 1024 * 1024,
    /** at most this many bytes wait in the free lists (beyond, given-back memory is left to the GC) */
    private readonly keepBytes = 16 * 1024 * 1024,
  ) {}

  /** Bytes waiting in the free lists. */
  get pooledBytes(): number {
    return this.pooled;
  }

  /** n bytes (uninitialised): pooled memory when n is in the pooled range, else a plain Buffer. */
  readonly alloc = (n: number): Buffer => {
    if (n < this.minBytes || n > this.maxBytes) return Buffer.allocUnsafe(n);
    const c = this.classOf(n);
    let ab = this.free[c]?.pop();
    if (ab !== undefined) this.pooled -= ab.byteLength;
    else ab = new ArrayBuffer(this.minBytes << c);
    this.out.add(ab);
    return Buffer.from(ab, 0, n);
  };

  /** Returns the memory under b to the pool; b (and every view on the same memory) must never be read again. */
  give(b: Buffer): void {
    const ab = b.buffer;
    if (!this.out.has(ab)) return;
    this.out.delete(ab);
    if (this.pooled + ab.byteLength > this.keepBytes) return;
    this.pooled += ab.byteLength;
    const c = this.classOf(ab.byteLength);
    const list = this.free[c] ?? [];
    this.free[c] = list;
    list.push(ab as ArrayBuffer);
  }

  private classOf(n: number): number {
    let c = 0;
    while (this.minBytes << c < n) c++;
    return c;
  }
}

export const replyBuffers = new ReplyBufferPool();

export const isError = (r: Reply): r is { t: 'error'; v: string } => r.t === 'error';
