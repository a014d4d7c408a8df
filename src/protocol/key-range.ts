/**
 * RESP encoding of key ranges (KeyRangeReply: the members of ZRANGE and its forms without scores): `*N\r\n`, then
 * `$<len>\r\n<key>\r\n` for each key, the same bytes in RESP2 and RESP3, in one Buffer.
 *
 * Design: the engine's reply carries a KeyRange, which hands out its keys a leaf stretch at a time (a StretchSink
 * gets the leaf's bytes and the (start, length) of each key in them: no Buffer or object per key), and the tree
 * settles the range before it changes. So the framing lives here, beside the writer, and the bytes still go from the
 * leaves to the reply with nothing in between, in one visit of the range: the reply's memory (one allocation, from
 * replyBuffers: the RESP connection gives it back once the socket took it) is sized by a bound that needs no look at
 * each key, the bytes of leaf storage the range spans (KeyRange.stretchBytes, one step per leaf).
 * A stretch of more than DIRECT_STRETCH bytes is first copied whole (one native copy) to a staging area after the
 * reply in the same allocation, and its keys are moved from there with copyWithin: many times cheaper than one
 * Buffer#copy per key from the leaf. A shorter stretch is copied byte by byte, without staging.
 *
 * Cost: O(keys + bytes), one allocation (the bound plus at most one stretch of staging).
 */
import type { KeyRange, StretchSink } from '../engine/structures/packed-btree';

/** Stretches up to this many bytes are copied key by key, byte by byte, without staging. */
const DIRECT_STRETCH = 768;

/** Number of decimal digits of a non-negative integer. */
function decimalDigits(v: number): number {
  let d = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) d++;
  return d;
}

/** Writes a non-negative integer in decimal at out[o…]; returns the position after it. */
function writeDecimal(out: Buffer, o: number, v: number): number {
  const d = decimalDigits(v);
  let t = v;
  for (let p = o + d - 1; p >= o; p--) {
    const q = Math.floor(t / 10);
    out[p] = 0x30 + t - q * 10;
    t = q;
  }
  return o + d;
}

/** The visit: writes each key's bulk string at `o`, staging long stretches at `stage`. */
class Write implements StretchSink {
  constructor(
    readonly out: Buffer,
    public o: number,
    private readonly stage: number,
  ) {}

  stretch(buf: Buffer, base: number, end: number, spans: Int32Array, k: number): void {
    const out = this.out;
    let o = this.o;
    // a short stretch is copied byte by byte below, without staging (a native copy costs more than it saves)
    const direct = end - base <= DIRECT_STRETCH;
    if (!direct) buf.copy(out, this.stage, base, end);
    // byte position p of the leaf is at p + shift in out
    const shift = this.stage - base;
    for (let w = 0, n = 2 * k; w < n; w += 2) {
      const start = spans[w]!;
      const len = spans[w + 1]!;
      out[o++] = 0x24;
      if (len < 10) {
        out[o++] = 0x30 + len;
      } else if (len < 100) {
        const q = (len / 10) | 0;
        out[o++] = 0x30 + q;
        out[o++] = 0x30 + len - q * 10;
      } else {
        o = writeDecimal(out, o, len);
      }
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      if (direct || len <= 8) {
        for (let b = start, e = start + len; b < e; b++) out[o++] = buf[b]!;
      } else {
        out.copyWithin(o, start + shift, start + shift + len);
        o += len;
      }
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
    this.o = o;
  }
}

/**
 * Bytes that writeKeyRange may use for a range: its reply is at most `bound` bytes (from the range's stretch bytes,
 * and the largest length's digits for each key), followed by at most one stretch of staging. Call right before
 * writeKeyRange (it sets the range's largestStretch).
 */
export function keyRangeRoom(range: KeyRange): { bound: number; room: number } {
  const bytes = range.stretchBytes();
  const largest = range.largestStretch;
  // every key is at most its stretch long: `$` + at most digits(largest) + CRLF + key + CRLF
  const bound = 3 + decimalDigits(range.count) + bytes + range.count * (5 + decimalDigits(largest));
  return { bound, room: bound + (largest > DIRECT_STRETCH ? largest : 0) };
}

/**
 * Writes the RESP array of bulk strings of a range's keys at out[at…], using out[at + bound, at + room) as staging
 * (keyRangeRoom); returns the position after the reply.
 */
export function writeKeyRange(range: KeyRange, out: Buffer, at: number, bound: number): number {
  out[at] = 0x2a;
  let o = writeDecimal(out, at + 1, range.count);
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  const w = new Write(out, o, at + bound);
  range.visit(w);
  return w.o;
}

/** The RESP array of bulk strings of a range's keys, in one fresh Buffer (a view on the start of memory from alloc). */
export function encodeKeyRange(range: KeyRange, alloc: (n: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const { bound, room } = keyRangeRoom(range);
  const out = alloc(room);
  const end = writeKeyRange(range, out, 0, bound);
  return end === out.length ? out : out.subarray(0, end);
}
