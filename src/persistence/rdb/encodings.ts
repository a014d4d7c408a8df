/**
 * Decoders of Redis's compact encodings as they appear inside RDB strings: ziplist, listpack, intset and zipmap. Each
 * takes the whole blob and returns its entries (strings as copies, integers as their decimal text), failing through
 * `fail` on anything malformed.
 */

const intBuf = (v: number | bigint): Buffer => Buffer.from(String(v), 'latin1');

/** The entries of a ziplist (strings as copies, integers as their decimal text). */
export function ziplistEntries(zl: Buffer, fail: (m: string) => never): Buffer[] {
  if (zl.length < 11) fail('a ziplist shorter than its header');
  const bytes = zl.readUInt32LE(0);
  if (bytes !== zl.length) fail(`a ziplist says it is ${bytes} bytes, it is ${zl.length}`);
  const out: Buffer[] = [];
  let p = 10;
  const need = (n: number) => {
    if (p + n > zl.length) fail('a ziplist entry runs past the end of the ziplist');
  };
  for (;;) {
    need(1);
    if (zl[p] === 0xff) break;
    // prevlen
    if (zl[p] === 0xfe) {
      need(5);
      p += 5;
    } else p += 1;
    need(1);
    const enc = zl[p]!;
    switch (enc >> 6) {
      case 0: {
        const n = enc & 0x3f;
        p += 1;
        need(n);
        out.push(Buffer.from(zl.subarray(p, p + n)));
        p += n;
        continue;
      }
      case 1: {
        need(2);
        const n = ((enc & 0x3f) << 8) | zl[p + 1]!;
        p += 2;
        need(n);
        out.push(Buffer.from(zl.subarray(p, p + n)));
        p += n;
        continue;
      }
      case 2: {
        if (enc !== 0x80) fail(`unknown ziplist encoding 0x${enc.toString(16)}`);
        need(5);
        const n = zl.readUInt32BE(p + 1);
        p += 5;
        need(n);
        out.push(Buffer.from(zl.subarray(p, p + n)));
        p += n;
        continue;
      }
    }
    p += 1;
    switch (enc) {
      case 0xc0:
        need(2);
        out.push(intBuf(zl.readInt16LE(p)));
        p += 2;
        break;
      case 0xd0:
        need(4);
        out.push(intBuf(zl.readInt32LE(p)));
        p += 4;
        break;
      case 0xe0:
        need(8);
        out.push(intBuf(zl.readBigInt64LE(p)));
        p += 8;
        break;
      case 0xf0:
        need(3);
        out.push(intBuf(zl.readIntLE(p, 3)));
        p += 3;
        break;
      case 0xfe:
        need(1);
        out.push(intBuf(zl.readInt8(p)));
        p += 1;
        break;
      default:
        if (enc >= 0xf1 && enc <= 0xfd) out.push(intBuf((enc & 0x0f) - 1));
        else fail(`unknown ziplist encoding 0x${enc.toString(16)}`);
    }
  }
  if (p !== zl.length - 1) fail('bytes after the end of a ziplist');
  return out;
}

/** Bytes of a listpack entry's back-length for an entry of `l` bytes (encoding + data). */
const backlenSize = (l: number): number => (l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5);

/** The entries of a listpack (strings as copies, integers as their decimal text). */
export function listpackEntries(lp: Buffer, fail: (m: string) => never): Buffer[] {
  if (lp.length < 7) fail('a listpack shorter than its header');
  const bytes = lp.readUInt32LE(0);
  if (bytes !== lp.length) fail(`a listpack says it is ${bytes} bytes, it is ${lp.length}`);
  const count = lp.readUInt16LE(4);
  const out: Buffer[] = [];
  let p = 6;
  const need = (n: number) => {
    if (p + n > lp.length) fail('a listpack entry runs past the end of the listpack');
  };
  for (;;) {
    need(1);
    const start = p;
    const b = lp[p]!;
    if (b === 0xff) break;
    if ((b & 0x80) === 0) {
      out.push(intBuf(b & 0x7f));
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      p += 1;
      need(n);
      out.push(Buffer.from(lp.subarray(p, p + n)));
      p += n;
    } else if ((b & 0xe0) === 0xc0) {
      need(2);
      let v = ((b & 0x1f) << 8) | lp[p + 1]!;
      if (v >= 1 << 12) v -= 1 << 13;
      out.push(intBuf(v));
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      need(2);
      const n = ((b & 0x0f) << 8) | lp[p + 1]!;
      p += 2;
      need(n);
      out.push(Buffer.from(lp.subarray(p, p + n)));
      p += n;
    } else {
      p += 1;
      switch (b) {
        case 0xf0: {
          need(4);
          const n = lp.readUInt32LE(p);
          p += 4;
          need(n);
          out.push(Buffer.from(lp.subarray(p, p + n)));
          p += n;
          break;
        }
        case 0xf1:
          need(2);
          out.push(intBuf(lp.readInt16LE(p)));
          p += 2;
          break;
        case 0xf2:
          need(3);
          out.push(intBuf(lp.readIntLE(p, 3)));
          p += 3;
          break;
        case 0xf3:
          need(4);
          out.push(intBuf(lp.readInt32LE(p)));
          p += 4;
          break;
        case 0xf4:
          need(8);
          out.push(intBuf(lp.readBigInt64LE(p)));
          p += 8;
          break;
        default:
          fail(`unknown listpack encoding 0x${b.toString(16)}`);
      }
    }
    const size = backlenSize(p - start);
    need(size);
    p += size;
  }
  if (p !== lp.length - 1) fail('bytes after the end of a listpack');
  if (count !== 0xffff && count !== out.length)
    fail(`a listpack says it holds ${count} entries, it holds ${out.length}`);
  return out;
}

/** The integers of an intset, as decimal text. */
export function intsetMembers(is: Buffer, fail: (m: string) => never): string[] {
  if (is.length < 8) fail('an intset shorter than its header');
  const enc = is.readUInt32LE(0);
  const n = is.readUInt32LE(4);
  if (enc !== 2 && enc !== 4 && enc !== 8) fail(`an intset of ${enc}-byte integers`);
  if (is.length !== 8 + enc * n) fail(`an intset of ${n} × ${enc} bytes is ${is.length} bytes long`);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * enc;
    out.push(String(enc === 2 ? is.readInt16LE(at) : enc === 4 ? is.readInt32LE(at) : is.readBigInt64LE(at)));
  }
  return out;
}

/** The field/value pairs of a zipmap (Redis < 2.6 small hashes). */
export function zipmapPairs(zm: Buffer, fail: (m: string) => never): Array<[Buffer, Buffer]> {
  let p = 1; // zmlen
  const need = (n: number) => {
    if (p + n > zm.length) fail('a zipmap entry runs past the end of the zipmap');
  };
  const len = (): number | undefined => {
    need(1);
    const b = zm[p]!;
    if (b === 0xff) return undefined;
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b !== 254) fail('a bad zipmap length');
    need(5);
    const v = zm.readUInt32LE(p + 1);
    p += 5;
    return v;
  };
  const out: Array<[Buffer, Buffer]> = [];
  for (;;) {
    const kl = len();
    if (kl === undefined) break;
    need(kl);
    const k = Buffer.from(zm.subarray(p, p + kl));
    p += kl;
    const vl = len();
    if (vl === undefined) fail('a zipmap key without a value');
    need(1);
    const free = zm[p]!;
    p += 1;
    need(vl + free);
    const v = Buffer.from(zm.subarray(p, p + vl));
    p += vl + free;
    out.push([k, v]);
  }
  return out;
}
