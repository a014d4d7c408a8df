/**
 * RDB writer: the engine's databases → an RDB file (version 10, as Redis 7.0 writes) that redis-server loads.
 *
 * Streaming: bytes are gathered into chunks of about CHUNK bytes and handed to `sink` (awaited, so a file stream's
 * back-pressure holds the walk); a large string value is handed over as it is, not copied. Memory: one chunk plus
 * the value being written — never a second copy of the dataset. The databases must not change while the writer
 * runs (it awaits the sink between chunks). The chunks come from a generator (`rdbChunks`), so the same walk also
 * serves `writeRdbSync`, which gathers the whole file in memory at once (DEBUG RELOAD).
 *
 * Encodings are the simple ones Redis 7.0 still loads (rdb.c rdbLoadObject): STRING (0, raw length-prefixed),
 * LIST (1: count, then each element as a string; loaded into a quicklist), SET (2), ZSET_2 (5: member, then the
 * score as a little-endian binary double), HASH (4: count, then field, value). Keys whose deadline has passed are
 * left out, as Redis leaves them out of a save. Layout: "REDIS0010", AUX fields, per database holding keys
 * SELECTDB + RESIZEDB, per key [EXPIRETIME_MS] type key value, then EOF and the CRC64 (crc64.ts) of all before it.
 *
 * Cost: O(size of the dataset) time, O(CHUNK + largest string) memory.
 */
import type { Keyspace } from '../../engine/keyspace';
import type { Value } from '../../engine/values';
import { Crc64 } from './crc64';
import {
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME_MS,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_TYPE_HASH,
  RDB_TYPE_LIST,
  RDB_TYPE_SET,
  RDB_TYPE_STRING,
  RDB_TYPE_ZSET_2,
  RDB_VERSION,
} from './format';

/** bytes gathered before a chunk goes to the sink */
const CHUNK = 64 * 1024;
/** a string at least this long goes to the sink as it is */
const DIRECT = 16 * 1024;

export type RdbSink = (chunk: Buffer) => void | Promise<void>;

export interface RdbWriteOptions {
  /** ms since the epoch: keys whose deadline is at or before it are left out; also the ctime AUX field */
  now?: number;
  /** the redis-ver AUX field (default 7.0.15) */
  redisVersion?: string;
}

export interface RdbWriteResult {
  keys: number;
  bytes: number;
}

export class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK + 64);
  private pos = 0;
  readonly crc = new Crc64();
  bytes = 0;
  /** chunks made and not yet handed over */
  pending: Buffer[] = [];

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** RDB length encoding: 6, 14, 32 or 64 bits. */
  len(n: number): void {
    this.ensure(9);
    const b = this.buf;
    if (n < 0x40) b[this.pos++] = n;
    else if (n < 0x4000) {
      b[this.pos++] = 0x40 | (n >> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** A length-prefixed raw string (no integer or LZF encodings). */
  str(b: Uint8Array): void {
    this.len(b.length);
    if (b.length >= DIRECT) {
      this.flush();
      this.emit(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
    } else this.raw(b);
  }

  strLatin1(s: string): void {
    if (s.length < DIRECT) {
      this.len(s.length);
      this.ensure(s.length);
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    this.str(Buffer.from(s, 'latin1'));
  }

  doubleLE(x: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(x, this.pos);
    this.pos += 8;
  }

  int64LE(x: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(x)), this.pos);
    this.pos += 8;
  }

  /** Ends the chunk once it is full enough. */
  maybeFlush(): void {
    if (this.pos >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.pos === 0) return;
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.emit(out);
  }

  private emit(b: Buffer): void {
    this.crc.update(b);
    this.bytes += b.length;
    this.pending.push(b);
  }

  /** The chunks made so far, handed over (the writer keeps none). */
  take(): Buffer[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** EOF, the CRC of everything before it, and the last chunk. */
  end(): void {
    this.u8(OP_EOF);
    this.flush();
    const sum = this.crc.bytes();
    this.bytes += sum.length;
    this.pending.push(sum);
  }
}

export function typeByte(v: Value): number {
  switch (v.type) {
    case 'string':
      return RDB_TYPE_STRING;
    case 'list':
      return RDB_TYPE_LIST;
    case 'set':
      return RDB_TYPE_SET;
    case 'hash':
      return RDB_TYPE_HASH;
    case 'zset':
      return RDB_TYPE_ZSET_2;
  }
}

/** Writes one value; yields the chunks made on the way, each before the next element is written. */
export function* writeValue(w: ChunkWriter, v: Value): Generator<Buffer> {
  switch (v.type) {
    case 'string':
      w.str(v.v);
      return;
    case 'list': {
      w.len(v.v.length);
      // the list's own buffers (a packed list yields views into its storage): handed over before the next element
      for (const e of v.v.values()) {
        w.str(e);
        w.maybeFlush();
        if (w.pending.length > 0) yield* w.take();
      }
      return;
    }
    case 'set':
      w.len(v.v.size);
      for (const m of v.v) {
        w.strLatin1(m);
        w.maybeFlush();
        if (w.pending.length > 0) yield* w.take();
      }
      return;
    case 'hash':
      w.len(v.v.size);
      for (const [f, x] of v.v) {
        w.strLatin1(f);
        w.str(x);
        w.maybeFlush();
        if (w.pending.length > 0) yield* w.take();
      }
      return;
    case 'zset':
      w.len(v.v.size);
      for (const [member, score] of v.v) {
        w.str(member);
        w.doubleLE(score);
        w.maybeFlush();
        if (w.pending.length > 0) yield* w.take();
      }
      return;
  }
}

function aux(w: ChunkWriter, name: string, value: string): void {
  w.u8(OP_AUX);
  w.strLatin1(name);
  w.strLatin1(value);
}

/**
 * The RDB file of `dbs`, chunk by chunk (each chunk is handed over as soon as it is made; a large string value as
 * it is). `result` is filled in as the walk goes: keys and bytes written.
 */
export function* rdbChunks(
  dbs: readonly Keyspace[],
  opts: RdbWriteOptions = {},
  result: RdbWriteResult = { keys: 0, bytes: 0 },
): Generator<Buffer> {
  const now = opts.now ?? Date.now();
  const w = new ChunkWriter();
  w.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
  aux(w, 'redis-ver', opts.redisVersion ?? '7.0.15');
  aux(w, 'redis-bits', '64');
  aux(w, 'ctime', String(Math.floor(now / 1000)));
  aux(w, 'used-mem', '0');
  aux(w, 'aof-base', '0');
  for (const [index, db] of dbs.entries()) {
    if (db.data.size === 0) continue;
    w.u8(OP_SELECTDB);
    w.len(index);
    w.u8(OP_RESIZEDB);
    w.len(db.data.size);
    w.len(db.expires.size);
    for (const [key, value] of db.data) {
      const at = db.expires.size > 0 ? db.expires.get(key) : undefined;
      if (at !== undefined) {
        if (at <= now) continue;
        w.u8(OP_EXPIRETIME_MS);
        w.int64LE(at);
      }
      w.u8(typeByte(value));
      w.strLatin1(key);
      yield* writeValue(w, value);
      w.maybeFlush();
      if (w.pending.length > 0) yield* w.take();
      result.keys++;
      result.bytes = w.bytes;
    }
  }
  w.end();
  result.bytes = w.bytes;
  yield* w.take();
}

/**
 * Writes `dbs` as an RDB file to `sink`, chunk by chunk. Resolves once the last byte (the checksum) was handed
 * over, with the number of keys and bytes written.
 */
export async function writeRdb(
  dbs: readonly Keyspace[],
  sink: RdbSink,
  opts: RdbWriteOptions = {},
): Promise<RdbWriteResult> {
  const result: RdbWriteResult = { keys: 0, bytes: 0 };
  for (const chunk of rdbChunks(dbs, opts, result)) await sink(chunk);
  return result;
}

/** The whole RDB file of `dbs` in one Buffer, synchronously (DEBUG RELOAD: the server does nothing else meanwhile). */
export function writeRdbSync(dbs: readonly Keyspace[], opts: RdbWriteOptions = {}): RdbWriteResult & { rdb: Buffer } {
  const result: RdbWriteResult = { keys: 0, bytes: 0 };
  const rdb = Buffer.concat([...rdbChunks(dbs, opts, result)]);
  return { ...result, rdb };
}
