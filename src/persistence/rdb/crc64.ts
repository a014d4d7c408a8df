/**
 * CRC64 as Redis computes it (crc64.c): the Jones polynomial, reflected, init 0, no final xor. An RDB file ends with
 * the CRC64 of all its bytes before it; a DUMP payload with the CRC64 of its body. Both are stored little-endian.
 *
 * Cost: O(bytes), one table look-up a byte.
 */

const POLY_REFLECTED = 0x95ac9329ac4bc9b5n; // bit-reversal of 0xad93d23594c935a9
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
  TABLE_LO[i] = Number(c & 0xffffffffn);
  TABLE_HI[i] = Number(c >> 32n);
}

/** A running CRC64 kept as two 32-bit halves (no BigInt per byte). */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(b: Uint8Array): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < b.length; i++) {
      const idx = (lo ^ b[i]!) & 0xff;
      const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
      const nhi = hi >>> 8;
      lo = (nlo ^ TABLE_LO[idx]!) >>> 0;
      hi = (nhi ^ TABLE_HI[idx]!) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The 8 bytes RDB stores: little-endian. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }
}

export function crc64(b: Uint8Array): bigint {
  return new Crc64().update(b).value;
}
