/**
 * The byte writer and reader of the snapshot and log codecs: varints (7 bits per byte, least significant first),
 * big-endian u16/u32/f64, length-prefixed bytes. The writer grows geometrically and is reused (`reset`) for the
 * next section; the reader checks every length against what is left and throws CorruptError past the end, so a
 * damaged file is reported, never read out of bounds or allowed to ask for a huge allocation.
 */
import { latin1Slice } from '../engine/buffer-slices';

/** The bytes are not a valid snapshot or log (a checksum, a length or a value that cannot be). */
export class CorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptError';
  }
}

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Room for n more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  reset(): void {
    this.pos = 0;
  }

  /** A view of what was written (valid until the next write or reset). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  u8(x: number): void {
    this.ensure(1);
    this.buf[this.pos++] = x;
  }

  u16(x: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(x, this.pos);
    this.pos += 2;
  }

  u32(x: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(x >>> 0, this.pos);
    this.pos += 4;
  }

  f64(x: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(x, this.pos);
    this.pos += 8;
  }

  /** A non-negative integer ≤ 2^53. */
  varint(x: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    while (x >= 0x80) {
      b[p++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    b[p++] = x;
    this.pos = p;
  }

  raw(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** varint length, then the bytes */
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    this.varint(end - start);
    this.raw(src, start, end);
  }

  /** A latin1 string (one byte per char: the keyspace's form of binary keys) as length-prefixed bytes. */
  latin1(s: string): void {
    const n = s.length;
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'latin1');
  }
}

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new CorruptError('unexpected end of data');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const x = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return x;
  }

  u32(): number {
    this.need(4);
    const x = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return x;
  }

  f64(): number {
    this.need(8);
    const x = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return x;
  }

  varint(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= this.end) throw new CorruptError('unexpected end of data');
    let c = b[p++]!;
    if (c < 0x80) {
      this.pos = p;
      return c;
    }
    let x = c & 0x7f;
    let mul = 128;
    for (;;) {
      if (p >= this.end || mul > 2 ** 49) throw new CorruptError('malformed varint');
      c = b[p++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) break;
      mul *= 128;
    }
    this.pos = p;
    return x;
  }

  /** A view of the next n bytes. */
  take(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Length-prefixed bytes, as a view. */
  bytes(): Buffer {
    return this.take(this.varint());
  }

  /** Length-prefixed bytes as a fresh Buffer (not pinning the section's memory). */
  bytesCopy(): Buffer {
    const n = this.varint();
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed bytes as a latin1 string (the keyspace's key form). */
  latin1(): string {
    const n = this.varint();
    this.need(n);
    const s = latin1Slice(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
