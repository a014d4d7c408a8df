/**
 * RDB reader: an RDB file as redis-server 2.x–7.2 writes it (RDB versions 1–11) → staged databases of engine values.
 *
 * Buffered: the whole file is in memory (a Buffer); values are copied out of it, so the file's buffer is not kept
 * alive by the keys. Nothing is applied to a live engine here: `parseRdb` fills fresh Keyspaces (made with the
 * listener the caller gives, and written without telling it), and `applyRdb` moves the keys into an engine only
 * after the whole file parsed and checked (every key conflict found first). A bad file therefore leaves the engine
 * exactly as it was: every problem is an RdbError naming what is wrong and where (byte offset).
 *
 * What is read (rdb.c, rdbLoadRio / rdbLoadObject):
 * - opcodes AUX, RESIZEDB, SELECTDB, EXPIRETIME_MS, EXPIRETIME (seconds), IDLE and FREQ (ignored: no LRU/LFU here),
 *   FUNCTION2 (skipped with a warning: this server has no functions), MODULE_AUX (skipped with a warning, as Redis
 *   skips the aux data of a module it does not have, when it is in the self-describing MODULE_2 form), EOF then the
 *   CRC64 (8 bytes, little-endian; 0 means the writer had rdbchecksum off), checked against all bytes before it;
 * - lengths of 6, 14, 32 and 64 bits; strings raw, as 8/16/32-bit integers, or LZF-compressed;
 * - STRING, LIST, SET, ZSET (ASCII scores, with the 253/254/255 NaN/+inf/-inf codes), ZSET_2, HASH, HASH_ZIPMAP,
 *   LIST_ZIPLIST, SET_INTSET, ZSET_ZIPLIST, HASH_ZIPLIST, LIST_QUICKLIST, HASH_LISTPACK, ZSET_LISTPACK,
 *   LIST_QUICKLIST_2 (PLAIN and PACKED nodes), SET_LISTPACK: every ziplist and listpack entry encoding;
 * - streams (STREAM_LISTPACKS 15, 19, 21) and MODULE_2 values are parsed only far enough to step over them, and
 *   reported as skipped (never half-loaded); MODULE (6, not self-describing) and the pre-GA FUNCTION opcode cannot be
 *   stepped over and stop the load.
 * Keys whose deadline has passed are left out (as a Redis master does on load); empty collections are left out
 * (Redis: "empty keys skipped"); a key twice in one database, a duplicate member, field or set element, a NaN score
 * are errors, as in Redis.
 *
 * Values are built the engine's way: lists through List.from (packed or ring by size), sets and hashes as the
 * Set/Map the commands use (their OBJECT ENCODING then follows from their contents, as when Redis loads them),
 * sorted sets through SortedSet.fromSorted (listpack or skiplist by Redis's thresholds).
 *
 * Cost: O(file size) time; memory: the file plus the values built.
 */
import { latin1Slice } from '../engine/buffer-slices';
import type { Engine } from '../engine/engine';
import { Keyspace, type KeyspaceListener } from '../engine/keyspace';
import { List } from '../engine/structures/list';
import { type SortedEntry, SortedSet } from '../engine/structures/sortedset';
import type { Value, ValueType } from '../engine/values';
import { Crc64, writeRdbSync } from './rdb-write';

/** The newest RDB version this reader knows (redis-server 7.2 writes 11). */
export const RDB_MAX_VERSION = 11;

/** A file this reader cannot load: damaged, truncated, from a newer Redis, or holding what cannot be stepped over. */
export class RdbError extends Error {
  override name = 'RdbError';
}

// opcodes
const OP_FUNCTION2 = 0xf5;
const OP_FUNCTION_PRE_GA = 0xf6;
const OP_MODULE_AUX = 0xf7;
const OP_IDLE = 0xf8;
const OP_FREQ = 0xf9;
const OP_AUX = 0xfa;
const OP_RESIZEDB = 0xfb;
const OP_EXPIRETIME_MS = 0xfc;
const OP_EXPIRETIME = 0xfd;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;

// value types
const T_STRING = 0;
const T_LIST = 1;
const T_SET = 2;
const T_ZSET = 3;
const T_HASH = 4;
const T_ZSET_2 = 5;
const T_MODULE = 6;
const T_MODULE_2 = 7;
const T_HASH_ZIPMAP = 9;
const T_LIST_ZIPLIST = 10;
const T_SET_INTSET = 11;
const T_ZSET_ZIPLIST = 12;
const T_HASH_ZIPLIST = 13;
const T_LIST_QUICKLIST = 14;
const T_STREAM_LISTPACKS = 15;
const T_HASH_LISTPACK = 16;
const T_ZSET_LISTPACK = 17;
const T_LIST_QUICKLIST_2 = 18;
const T_STREAM_LISTPACKS_2 = 19;
const T_SET_LISTPACK = 20;
const T_STREAM_LISTPACKS_3 = 21;

const TYPE_NAMES: Record<number, string> = {
  [T_STRING]: 'string',
  [T_LIST]: 'list',
  [T_SET]: 'set',
  [T_ZSET]: 'zset (ZSET)',
  [T_HASH]: 'hash',
  [T_ZSET_2]: 'zset',
  [T_MODULE]: 'module (MODULE)',
  [T_MODULE_2]: 'module',
  [T_HASH_ZIPMAP]: 'hash (zipmap)',
  [T_LIST_ZIPLIST]: 'list (ziplist)',
  [T_SET_INTSET]: 'set (intset)',
  [T_ZSET_ZIPLIST]: 'zset (ziplist)',
  [T_HASH_ZIPLIST]: 'hash (ziplist)',
  [T_LIST_QUICKLIST]: 'list (quicklist)',
  [T_STREAM_LISTPACKS]: 'stream',
  [T_HASH_LISTPACK]: 'hash (listpack)',
  [T_ZSET_LISTPACK]: 'zset (listpack)',
  [T_LIST_QUICKLIST_2]: 'list (quicklist 2)',
  [T_STREAM_LISTPACKS_2]: 'stream',
  [T_SET_LISTPACK]: 'set (listpack)',
  [T_STREAM_LISTPACKS_3]: 'stream',
};

// module opcodes (the MODULE_2 self-describing form)
const MOD_EOF = 0;
const MOD_SINT = 1;
const MOD_UINT = 2;
const MOD_FLOAT = 3;
const MOD_DOUBLE = 4;
const MOD_STRING = 5;

export interface RdbReadOptions {
  /** databases of the target (default 16); a SELECTDB beyond them is an error */
  databases?: number;
  /** ms since the epoch: keys whose deadline is at or before it are left out (default now) */
  now?: number;
  /** the listener the staged Keyspaces are made with (the engine they will be swapped into), if any */
  listener?: KeyspaceListener;
  /**
   * keys to leave out, with the reason reported (e.g. the S3 index's reserved `s3idx:` keys, which only its own
   * commands may write): called with the key (latin1) and the type read
   */
  skipKey?: (key: string, type: ValueType) => string | undefined;
}

export interface RdbSummary {
  /** the file's RDB version */
  version: number;
  /** the AUX fields (redis-ver, ctime, …) */
  aux: Record<string, string>;
  /** keys staged */
  keys: number;
  byType: Record<ValueType, number>;
  /** keys staged per database number */
  byDb: Record<number, number>;
  /** keys with a TTL among them */
  volatile: number;
  /** keys left out, by reason ("stream", "module", a skipKey reason) */
  skipped: Record<string, number>;
  /** keys left out because their deadline had passed */
  expired: number;
  /** empty collections left out */
  empty: number;
  /** what was stepped over that is not a key (functions, module aux data) */
  warnings: string[];
  /** 'ok', or 'disabled' when the file's checksum was 0 (written with rdbchecksum no), or 'absent' (version < 5) */
  checksum: 'ok' | 'disabled' | 'absent';
  bytes: number;
}

export interface StagedRdb {
  /** one fresh Keyspace per database of the target, holding the file's keys */
  dbs: Keyspace[];
  summary: RdbSummary;
}

const emptyByType = (): Record<ValueType, number> => ({ string: 0, list: 0, set: 0, zset: 0, hash: 0 });

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

/** strtod-like: decimal and the inf/nan spellings Redis accepts. */
function parseDouble(s: string, fail: (m: string) => never): number {
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

// ---- ziplist, listpack, intset, zipmap ----

const intBuf = (v: number | bigint): Buffer => Buffer.from(String(v), 'latin1');

/** The entries of a ziplist (strings as copies, integers as their decimal text). */
function ziplistEntries(zl: Buffer, fail: (m: string) => never): Buffer[] {
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
function listpackEntries(lp: Buffer, fail: (m: string) => never): Buffer[] {
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
function intsetMembers(is: Buffer, fail: (m: string) => never): string[] {
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
function zipmapPairs(zm: Buffer, fail: (m: string) => never): Array<[Buffer, Buffer]> {
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

// ---- building values ----

function buildZset(entries: SortedEntry[], fail: (m: string) => never): SortedSet | undefined {
  if (entries.length === 0) return undefined;
  for (const e of entries) if (Number.isNaN(e.score)) fail('a NaN score in a sorted set');
  entries.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : Buffer.compare(a.member, b.member)));
  const seen = new Set<string>();
  for (const e of entries) {
    const m = latin1Slice(e.member, 0, e.member.length);
    if (seen.has(m)) fail('a duplicate sorted set member');
    seen.add(m);
  }
  return SortedSet.fromSorted(entries);
}

function hashOf(pairs: Iterable<[Buffer, Buffer]>, fail: (m: string) => never): Map<string, Buffer> {
  const h = new Map<string, Buffer>();
  for (const [f, v] of pairs) {
    const k = latin1Slice(f, 0, f.length);
    if (h.has(k)) fail('a duplicate hash field');
    h.set(k, v);
  }
  return h;
}

function* pairsOf(items: Buffer[], fail: (m: string) => never): Generator<[Buffer, Buffer]> {
  if (items.length % 2 !== 0) fail('an odd number of entries where pairs were due');
  for (let i = 0; i < items.length; i += 2) yield [items[i]!, items[i + 1]!];
}

function setOf(members: Iterable<string>, fail: (m: string) => never): Set<string> {
  const s = new Set<string>();
  for (const m of members) {
    if (s.has(m)) fail('a duplicate set member');
    s.add(m);
  }
  return s;
}

const latin1 = (b: Buffer): string => latin1Slice(b, 0, b.length);

/** Module id → its 9-character name (the 10 low bits are the encoding version). */
function moduleName(id: bigint): string {
  const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 9; i++) s += CHARSET[Number((id >> BigInt(64 - 6 * (i + 1))) & 63n)] ?? '?';
  return s;
}

/** Steps over a module's self-describing data (MODULE_2 values, MODULE_AUX), up to its EOF opcode. */
function skipModuleData(r: Reader): void {
  for (;;) {
    const op = r.len();
    switch (op) {
      case MOD_EOF:
        return;
      case MOD_SINT:
      case MOD_UINT:
        r.len();
        break;
      case MOD_FLOAT:
        r.take(4);
        break;
      case MOD_DOUBLE:
        r.take(8);
        break;
      case MOD_STRING:
        r.string();
        break;
      default:
        r.fail(`unknown module data opcode ${op}`);
    }
  }
}

/** Module id: a 64-bit length. */
function moduleId(r: Reader): bigint {
  const at = r.pos;
  const b = r.buf[at];
  if (b === 0x81) {
    r.u8();
    r.need(8);
    const v = r.buf.readBigUInt64BE(r.pos);
    r.pos += 8;
    return v;
  }
  return BigInt(r.len());
}

/** Steps over a stream value (rdb.c: listpacks, then the metadata, then the consumer groups). */
function skipStream(r: Reader, type: number): void {
  const listpacks = r.len();
  for (let i = 0; i < listpacks; i++) {
    r.string(); // master id
    r.string(); // listpack
  }
  r.skipLen(); // length
  r.skipLen(); // last id ms
  r.skipLen(); // last id seq
  if (type >= T_STREAM_LISTPACKS_2) {
    r.skipLen(); // first id ms
    r.skipLen(); // first id seq
    r.skipLen(); // max deleted id ms
    r.skipLen(); // max deleted id seq
    r.skipLen(); // entries added
  }
  const groups = r.len();
  for (let g = 0; g < groups; g++) {
    r.string(); // name
    r.skipLen(); // last id ms
    r.skipLen(); // last id seq
    if (type >= T_STREAM_LISTPACKS_2) r.skipLen(); // entries read (-1: not known)
    const pel = r.len();
    for (let i = 0; i < pel; i++) {
      r.take(16); // id
      r.take(8); // delivery time
      r.skipLen(); // delivery count
    }
    const consumers = r.len();
    for (let c = 0; c < consumers; c++) {
      r.string(); // name
      r.take(8); // seen time
      if (type >= T_STREAM_LISTPACKS_3) r.take(8); // active time
      const owned = r.len();
      r.take(16 * owned);
    }
  }
}

/**
 * Reads one value of `type`: the Value, null for an empty collection, or a string naming what was stepped over (a
 * stream, a module value).
 */
export function readValue(r: Reader, type: number): Value | null | string {
  const fail = (m: string): never => r.fail(m);
  switch (type) {
    case T_STRING:
      return { type: 'string', v: r.stringCopy() };
    case T_LIST: {
      const n = r.len();
      const items: Buffer[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = r.stringCopy();
      return n === 0 ? null : { type: 'list', v: List.from(items) };
    }
    case T_SET: {
      const n = r.len();
      const s = new Set<string>();
      for (let i = 0; i < n; i++) s.add(r.latin1());
      if (s.size !== n) fail('a duplicate set member');
      return n === 0 ? null : { type: 'set', v: s };
    }
    case T_ZSET:
    case T_ZSET_2: {
      const n = r.len();
      const entries: SortedEntry[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const member = r.stringCopy();
        const score = type === T_ZSET ? r.asciiDouble() : r.f64le();
        entries[i] = { member, score };
      }
      const z = buildZset(entries, fail);
      return z === undefined ? null : { type: 'zset', v: z };
    }
    case T_HASH: {
      const n = r.len();
      const h = new Map<string, Buffer>();
      for (let i = 0; i < n; i++) {
        const f = r.latin1();
        h.set(f, r.stringCopy());
      }
      if (h.size !== n) fail('a duplicate hash field');
      return n === 0 ? null : { type: 'hash', v: h };
    }
    case T_HASH_ZIPMAP: {
      const h = hashOf(zipmapPairs(r.string(), fail), fail);
      return h.size === 0 ? null : { type: 'hash', v: h };
    }
    case T_LIST_ZIPLIST: {
      const items = ziplistEntries(r.string(), fail);
      return items.length === 0 ? null : { type: 'list', v: List.from(items) };
    }
    case T_SET_INTSET: {
      const s = setOf(intsetMembers(r.string(), fail), fail);
      return s.size === 0 ? null : { type: 'set', v: s };
    }
    case T_SET_LISTPACK: {
      const s = setOf(listpackEntries(r.string(), fail).map(latin1), fail);
      return s.size === 0 ? null : { type: 'set', v: s };
    }
    case T_ZSET_ZIPLIST:
    case T_ZSET_LISTPACK: {
      const blob = r.string();
      const items = type === T_ZSET_ZIPLIST ? ziplistEntries(blob, fail) : listpackEntries(blob, fail);
      const entries: SortedEntry[] = [];
      for (const [member, score] of pairsOf(items, fail))
        entries.push({ member, score: parseDouble(score.toString('latin1'), fail) });
      const z = buildZset(entries, fail);
      return z === undefined ? null : { type: 'zset', v: z };
    }
    case T_HASH_ZIPLIST:
    case T_HASH_LISTPACK: {
      const blob = r.string();
      const items = type === T_HASH_ZIPLIST ? ziplistEntries(blob, fail) : listpackEntries(blob, fail);
      const h = hashOf(pairsOf(items, fail), fail);
      return h.size === 0 ? null : { type: 'hash', v: h };
    }
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2: {
      const nodes = r.len();
      const items: Buffer[] = [];
      for (let i = 0; i < nodes; i++) {
        if (type === T_LIST_QUICKLIST) {
          for (const e of ziplistEntries(r.string(), fail)) items.push(e);
          continue;
        }
        const container = r.len();
        if (container === 1) items.push(r.stringCopy());
        else if (container === 2) for (const e of listpackEntries(r.string(), fail)) items.push(e);
        else fail(`unknown quicklist node container ${container}`);
      }
      return items.length === 0 ? null : { type: 'list', v: List.from(items) };
    }
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
      skipStream(r, type);
      return 'stream';
    case T_MODULE_2: {
      const id = moduleId(r);
      skipModuleData(r);
      return `module ${moduleName(id)}`;
    }
    case T_MODULE:
      return fail(
        'a module value in the MODULE (1) format, which cannot be stepped over without its module: this file cannot be loaded',
      );
    default:
      return fail(`unknown value type ${type}`);
  }
}

const VALUE_TYPES = new Set([
  T_STRING,
  T_LIST,
  T_SET,
  T_ZSET,
  T_HASH,
  T_ZSET_2,
  T_MODULE,
  T_MODULE_2,
  T_HASH_ZIPMAP,
  T_LIST_ZIPLIST,
  T_SET_INTSET,
  T_ZSET_ZIPLIST,
  T_HASH_ZIPLIST,
  T_LIST_QUICKLIST,
  T_STREAM_LISTPACKS,
  T_HASH_LISTPACK,
  T_ZSET_LISTPACK,
  T_LIST_QUICKLIST_2,
  T_STREAM_LISTPACKS_2,
  T_SET_LISTPACK,
  T_STREAM_LISTPACKS_3,
]);

function printable(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}

/**
 * Parses a whole RDB file into fresh databases (see the module comment). Throws RdbError for anything wrong with the
 * file; nothing outside the returned structure is touched.
 */
export function parseRdb(file: Buffer, opts: RdbReadOptions = {}): StagedRdb {
  try {
    return parse(file, opts);
  } catch (err) {
    if (err instanceof RdbError) {
      // a damaged file often fails somewhere in the middle: say when its checksum does not match either
      if (file.length >= 9 && file.toString('latin1', 0, 5) === 'REDIS' && Number(file.toString('latin1', 5, 9)) >= 5) {
        const sum = file.subarray(file.length - 8);
        if (
          !sum.equals(Buffer.alloc(8)) &&
          !new Crc64()
            .update(file.subarray(0, file.length - 8))
            .bytes()
            .equals(sum)
        )
          err.message +=
            '; the checksum at the end of the file does not match either: the file is damaged or truncated';
      }
    }
    throw err;
  }
}

function parse(file: Buffer, opts: RdbReadOptions): StagedRdb {
  const r = new Reader(file);
  const databases = opts.databases ?? 16;
  const now = opts.now ?? Date.now();
  if (file.length < 9 || file.toString('latin1', 0, 5) !== 'REDIS') r.fail('not an RDB file (no REDIS magic)', 0);
  const vtext = file.toString('latin1', 5, 9);
  if (!/^\d{4}$/.test(vtext)) r.fail(`not an RDB file (version '${vtext}')`, 5);
  const version = Number(vtext);
  if (version < 1 || version > RDB_MAX_VERSION)
    r.fail(
      `RDB version ${version} is not supported: this reader loads versions 1 to ${RDB_MAX_VERSION} (redis-server up to 7.2)`,
      5,
    );
  r.pos = 9;
  const dbs = Array.from({ length: databases }, (_, i) => new Keyspace(i, opts.listener));
  const summary: RdbSummary = {
    version,
    aux: {},
    keys: 0,
    byType: emptyByType(),
    byDb: {},
    volatile: 0,
    skipped: {},
    expired: 0,
    empty: 0,
    warnings: [],
    checksum: 'absent',
    bytes: file.length,
  };
  let db: Keyspace | undefined = dbs[0];
  let dbNumber = 0;
  let expireAt: number | undefined;
  for (;;) {
    r.what = 'an opcode';
    r.valueKey = undefined;
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case OP_EOF: {
        const body = r.pos;
        if (version >= 5) {
          r.what = 'the checksum';
          const sum = r.take(8);
          if (sum.equals(Buffer.alloc(8))) summary.checksum = 'disabled';
          else {
            const mine = new Crc64().update(file.subarray(0, body)).bytes();
            if (!mine.equals(sum))
              r.fail(
                `checksum mismatch: the file says ${sum.readBigUInt64LE(0).toString(16)}, its bytes give ${mine.readBigUInt64LE(0).toString(16)}`,
                body,
              );
            summary.checksum = 'ok';
          }
        }
        if (r.pos !== file.length) r.fail(`${file.length - r.pos} bytes after the end of the RDB data`);
        return { dbs, summary };
      }
      case OP_SELECTDB: {
        r.what = 'SELECTDB';
        dbNumber = r.len();
        db = dbs[dbNumber];
        if (db === undefined)
          r.fail(`the file selects database ${dbNumber}; this server has ${databases} (0 to ${databases - 1})`, at);
        continue;
      }
      case OP_RESIZEDB:
        r.what = 'RESIZEDB';
        r.len();
        r.len();
        continue;
      case OP_AUX: {
        r.what = 'an AUX field';
        const k = r.latin1();
        summary.aux[k] = r.latin1();
        continue;
      }
      case OP_EXPIRETIME_MS:
        r.what = 'EXPIRETIME_MS';
        expireAt = r.i64le();
        continue;
      case OP_EXPIRETIME:
        r.what = 'EXPIRETIME';
        expireAt = r.u32le() * 1000;
        continue;
      case OP_IDLE:
        r.what = 'IDLE';
        r.len();
        continue;
      case OP_FREQ:
        r.what = 'FREQ';
        r.u8();
        continue;
      case OP_FUNCTION2: {
        r.what = 'FUNCTION2';
        const code = r.string();
        const name = /#!\w+\s+name=(\S+)/.exec(code.toString('utf8', 0, Math.min(code.length, 200)))?.[1];
        summary.warnings.push(
          `function library ${name !== undefined ? `'${name}' ` : ''}skipped: this server has no functions (FUNCTION LOAD)`,
        );
        continue;
      }
      case OP_FUNCTION_PRE_GA:
        return r.fail(
          'a function library in the pre-release format of Redis 7.0 RC (not loadable by Redis 7 either)',
          at,
        );
      case OP_MODULE_AUX: {
        r.what = 'MODULE_AUX';
        const id = moduleId(r);
        r.len(); // when_opcode
        r.len(); // when
        skipModuleData(r);
        summary.warnings.push(`aux data of module ${moduleName(id)} skipped: this server has no modules`);
        continue;
      }
    }
    if (!VALUE_TYPES.has(op)) r.fail(`unknown type or opcode ${op} (0x${op.toString(16)})`, at);
    r.what = 'a key';
    const key = r.latin1();
    r.valueKey = key;
    r.valueType = op;
    r.valueDb = dbNumber;
    const value = readValue(r, op);
    const deadline = expireAt;
    expireAt = undefined;
    if (typeof value === 'string') {
      summary.skipped[value] = (summary.skipped[value] ?? 0) + 1;
      continue;
    }
    if (value === null) {
      summary.empty++;
      continue;
    }
    if (deadline !== undefined && deadline <= now) {
      summary.expired++;
      continue;
    }
    const why = opts.skipKey?.(key, value.type);
    if (why !== undefined) {
      summary.skipped[why] = (summary.skipped[why] ?? 0) + 1;
      continue;
    }
    const target = db!;
    if (target.data.has(key)) r.fail(`key ${printable(key)} appears twice in database ${dbNumber}`, at);
    target.data.set(key, value);
    if (deadline !== undefined) {
      target.expires.set(key, deadline);
      summary.volatile++;
    }
    summary.keys++;
    summary.byType[value.type]++;
    summary.byDb[dbNumber] = (summary.byDb[dbNumber] ?? 0) + 1;
  }
}

export interface ApplyResult {
  /** keys written */
  keys: number;
  /** of them, keys that replaced one already there */
  replaced: number;
}

/**
 * Moves staged keys into `target` databases (an engine's `dbs`): every key is checked first, and when one already
 * holds a live key and `replace` is not set, RdbError (BUSYKEY, like RESTORE without REPLACE) and nothing is written.
 * Each key is set through Keyspace.set, so the engine's listeners (WATCH, the index, `dirty`) hear of it.
 */
export function applyRdb(
  target: readonly Keyspace[],
  staged: StagedRdb,
  opts: { replace?: boolean; now?: number } = {},
): ApplyResult {
  const now = opts.now ?? Date.now();
  let busy = 0;
  let first: string | undefined;
  for (const [i, db] of staged.dbs.entries()) {
    if (db.data.size === 0) continue;
    const into = target[i];
    if (into === undefined) throw new RdbError(`the file has keys in database ${i}; the target has ${target.length}`);
    for (const key of db.data.keys()) {
      if (into.has(key, now)) {
        busy++;
        first ??= `${printable(key)} in database ${i}`;
      }
    }
  }
  if (busy > 0 && opts.replace !== true)
    throw new RdbError(
      `BUSYKEY: ${busy} key${busy === 1 ? '' : 's'} of the file already exist${busy === 1 ? 's' : ''} (first: ${first}); nothing was imported (--replace overwrites them)`,
    );
  let keys = 0;
  for (const [i, db] of staged.dbs.entries()) {
    const into = target[i]!;
    for (const [key, value] of db.data) {
      into.set(key, value);
      const at = db.expires.get(key);
      if (at !== undefined) into.setExpire(key, at, now);
      keys++;
    }
  }
  return { keys, replaced: busy };
}

/** One line per figure of a summary, for the import's output and the server's log. */
export function describeSummary(s: RdbSummary): string[] {
  const types = (Object.entries(s.byType) as Array<[ValueType, number]>)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  const dbs = Object.entries(s.byDb)
    .map(([d, n]) => `db${d}: ${n}`)
    .join(', ');
  const lines = [
    `RDB version ${s.version}${s.aux['redis-ver'] ? ` (redis ${s.aux['redis-ver']})` : ''}, ${s.bytes} bytes, checksum ${s.checksum}`,
    `${s.keys} keys${types ? ` (${types})` : ''}${dbs ? `; ${dbs}` : ''}; ${s.volatile} with a TTL`,
  ];
  const skipped = Object.entries(s.skipped).map(([why, n]) => `${n} ${why}`);
  if (skipped.length > 0) lines.push(`skipped (not supported here): ${skipped.join(', ')}`);
  if (s.expired > 0) lines.push(`left out: ${s.expired} keys already expired`);
  if (s.empty > 0) lines.push(`left out: ${s.empty} empty collections`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** Whether an RDB carries this sorted set whole: no payloads, no weights, no derived weights or member classes. */
function rdbCarries(z: SortedSet): boolean {
  if (z.weightOfPayloads !== undefined || z.memberClassifier !== undefined) return false;
  for (const e of z.entries()) if (e.payload !== undefined || (e.weight ?? 0) !== 0) return false;
  return true;
}

/**
 * DEBUG RELOAD, in memory: the engine's databases written as RDB (writeRdbSync) and read back into fresh databases,
 * which then take the old ones' places. As Redis's reload empties the databases first (signalFlushedDb), the
 * engine's flush listeners hear of each database replaced while its old keys are still there: WATCHed keys are
 * invalidated, the index reports every bucket changed, `dirty` moves; a snapshot being written is finished first.
 * The old Keyspace objects keep their contents for whoever still holds one. Sorted sets an RDB cannot carry whole
 * (the S3 index's, with payloads and derived weights) keep their value object. Throws RdbError when the round trip
 * fails; the engine is then unchanged.
 */
export function reloadThroughRdb(engine: Engine): RdbSummary {
  const now = engine.clock.now();
  const { rdb } = writeRdbSync(engine.dbs, { now });
  const staged = parseRdb(rdb, { databases: engine.dbs.length, now, listener: engine });
  for (const [i, db] of engine.dbs.entries()) {
    const fresh = staged.dbs[i]!;
    for (const [key, v] of db.data) {
      if (v.type === 'zset' && fresh.data.has(key) && !rdbCarries(v.v)) fresh.data.set(key, v);
    }
  }
  engine.writeHook?.before(0, undefined);
  for (let i = 0; i < engine.dbs.length; i++) {
    const old = engine.dbs[i]!;
    const fresh = staged.dbs[i]!;
    fresh.expiredCount = old.expiredCount;
    if (old.size > 0 || fresh.size > 0) engine.flushed(i);
    engine.dbs[i] = fresh;
  }
  return staged.summary;
}
