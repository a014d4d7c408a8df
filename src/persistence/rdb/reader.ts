/**
 * The byte reader under the RDB decoder: RdbError (every problem, naming what is wrong, where (byte offset) and what
 * was being read), and Reader: lengths of 6, 14, 32 and 64 bits; strings raw, as 8/16/32-bit integers, or
 * LZF-compressed (lzfDecompress); binary little-endian and ASCII doubles (parseDouble, strtod-like).
 */
import { latin1Slice } from '../../engine/buffer-slices';
import { TYPE_NAMES } from './format';

/** A file this reader cannot load: damaged, truncated, from a newer Redis, or holding what cannot be stepped over. */
export class RdbError extends Error {
  override name = 'RdbError';
}

/** Reads from a Buffer, throwing RdbError at its end. */
export class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    /** what is being read, for messages ("key 'x'") */
    public what = 'header',
  ) {}

  /** while a value is read: its key, type and database (the message is made only on failure) */
  valueKey: string | undefined;
  valueType = 0;
  valueDb = 0;

  fail(message: string, at = this.pos): never {
    const key = this.valueKey;
    const what =
      key === undefined
        ? this.what
        : `the ${TYPE_NAMES[this.valueType] ?? this.valueType} value of key ${printable(key)} in database ${this.valueDb}`;
    throw new RdbError(`${message} (at byte ${at}, reading ${what})`);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length)
      this.fail(`the file is truncated: ${n} more bytes needed, ${this.buf.length - this.pos} left`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  take(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i64le(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  f64le(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length, or an encoded-string marker as -1 - encoding (see `string`). */
  lenOrEnc(huge = false): number {
    const at = this.pos;
    const b = this.u8();
    switch (b >> 6) {
      case 0:
        return b & 0x3f;
      case 1:
        return ((b & 0x3f) << 8) | this.u8();
      case 2: {
        if (b === 0x80) {
          this.need(4);
          const v = this.buf.readUInt32BE(this.pos);
          this.pos += 4;
          return v;
        }
        if (b === 0x81) {
          this.need(8);
          const v = this.buf.readBigUInt64BE(this.pos);
          this.pos += 8;
          if (!huge && v > BigInt(Number.MAX_SAFE_INTEGER))
            this.fail(`a length of ${v} is beyond what this reader handles`, at);
          return Number(v);
        }
        return this.fail(`unknown length encoding 0x${b.toString(16)}`, at);
      }
      default:
        return -1 - (b & 0x3f);
    }
  }

  len(): number {
    const at = this.pos;
    const n = this.lenOrEnc();
    if (n < 0) this.fail('an encoded string where a length was due', at);
    return n;
  }

  /** A length only stepped over: any 64-bit value (stream ids), not exact beyond 2^53. */
  skipLen(): void {
    const at = this.pos;
    if (this.lenOrEnc(true) < 0) this.fail('an encoded string where a length was due', at);
  }

  /**
   * A string: raw, an 8/16/32-bit integer, or LZF-compressed. `copy`: a raw string is copied out of the file (what a
   * value keeps); otherwise it is a view of the file.
   */
  string(copy = false): Buffer {
    const at = this.pos;
    const n = this.lenOrEnc();
    if (n >= 0) {
      if (!copy) return this.take(n);
      this.need(n);
      const out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    switch (-1 - n) {
      case 0:
        return Buffer.from(String(this.take(1).readInt8(0)), 'latin1');
      case 1:
        return Buffer.from(String(this.take(2).readInt16LE(0)), 'latin1');
      case 2:
        return Buffer.from(String(this.take(4).readInt32LE(0)), 'latin1');
      case 3: {
        const clen = this.len();
        const ulen = this.len();
        const packed = this.take(clen);
        return lzfDecompress(packed, ulen, (m) => this.fail(m, at));
      }
      default:
        return this.fail(`unknown string encoding ${-1 - n}`, at);
    }
  }

  stringCopy(): Buffer {
    return this.string(true);
  }

  latin1(): string {
    const start = this.pos;
    const b = this.buf[start];
    // a raw string of 6 or 14-bit length (keys, members, fields): decoded in place, no view made
    if (b !== undefined && b >> 6 < 2) {
      const n = this.lenOrEnc();
      this.need(n);
      const at = this.pos;
      this.pos += n;
      return latin1Slice(this.buf, at, at + n);
    }
    const s = this.string();
    return latin1Slice(s, 0, s.length);
  }

  /** ZSET (type 3) and old-style doubles: a length byte (253 NaN, 254 +inf, 255 -inf), then ASCII. */
  asciiDouble(): number {
    const at = this.pos;
    const n = this.u8();
    if (n === 253) return Number.NaN;
    if (n === 254) return Number.POSITIVE_INFINITY;
    if (n === 255) return Number.NEGATIVE_INFINITY;
    return parseDouble(this.take(n).toString('latin1'), (m) => this.fail(m, at));
  }
}

/** A key as it appears in messages: quoted, cut at 64 characters. */
export function printable(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}

/** strtod-like: decimal and the inf/nan spellings Redis accepts. */
export function parseDouble(s: string, fail: (m: string) => never): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  if (t === 'nan' || t === '-nan' || t === '+nan') return Number.NaN;
  const x = Number(t);
  if (t === '' || Number.isNaN(x)) return fail(`'${s}' is not a number`);
  return x;
}

/** LZF decompression (liblzf's lzf_decompress): exactly `ulen` bytes out of `src`. */
export function lzfDecompress(src: Uint8Array, ulen: number, fail: (m: string) => never): Buffer {
  const out = Buffer.allocUnsafe(ulen);
  let ip = 0;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > ulen) fail('LZF data expands beyond its stated length');
      if (ip + n > end) fail('LZF data is truncated');
      for (let i = 0; i < n; i++) out[op++] = src[ip++]!;
      continue;
    }
    let n = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (ip >= end) fail('LZF data is truncated');
    if (n === 7) {
      n += src[ip++]!;
      if (ip >= end) fail('LZF data is truncated');
    }
    ref -= src[ip++]!;
    n += 2;
    if (op + n > ulen) fail('LZF data expands beyond its stated length');
    if (ref < 0) fail('LZF back-reference before the start of the data');
    for (let i = 0; i < n; i++) out[op++] = out[ref++]!;
  }
  if (op !== ulen) fail(`LZF data decompresses to ${op} bytes, ${ulen} stated`);
  return out;
}
