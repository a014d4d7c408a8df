/**
 * Snapshot encoder: the engine's databases → the sections of a snapshot file (format.ts), a few at a time, so the
 * caller writes each section out before asking for the next and never holds the whole encoded dataset.
 *
 * Point in time. The snapshot shows every key as it was when the encoder was created, while the engine keeps
 * serving reads and writes between sections. Before a write changes a key, its owner calls `beforeWrite(db, key)`:
 * a key the encoder has not written yet is written at once, as it is before the write (its pre-image), and is
 * skipped when the walk reaches it; a key that does not exist yet is marked written, so a key created after the
 * start never appears. A write whose keys are not known (FLUSHALL, SWAPDB, an ingest batch) calls
 * `beforeWrite(db, undefined)`, which finishes the whole snapshot first. Pre-images are encoded, not copied: the
 * write waits while its key is encoded (the whole of a large sorted set, if the walk had not reached it), and the
 * sections so made wait in `pending` for the caller.
 *
 * A key written by the walk and then touched may be written again as its pre-image (the walk does not remember
 * every key it passed, which would cost memory per key); both copies hold the same state, and the loader keeps
 * the last. Large values the walk wrote are remembered (by identity, in a WeakSet) so they are never written twice.
 *
 * Cost: O(size of the dataset) in all, in sections of about `sectionBytes`; memory: one section being built, the
 * pending ones, and a set of the keys touched during the snapshot.
 */
import { deflateRawSync, crc32 as zcrc32 } from 'node:zlib';
import type { Keyspace } from '../engine/keyspace';
import type { SortedEntry, SortedSet } from '../engine/structures/sortedset';
import type { Value } from '../engine/values';
import { ByteWriter } from './bytes';
import {
  KEY_HAS_EXPIRE,
  REC_CHUNK,
  REC_DB,
  REC_KEY,
  SECTION_DATA,
  SECTION_DEFLATED,
  SECTION_END,
  SECTION_HEADER_BYTES,
  SECTION_META,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_HEADER_BYTES,
  SNAPSHOT_MAGIC,
  TYPE_HASH,
  TYPE_LIST,
  TYPE_SET,
  TYPE_STRING,
  TYPE_ZSET,
  WEIGHTS_DERIVED,
  WEIGHTS_FLOAT,
  WEIGHTS_NONE,
  ZSET_LEX,
  ZSET_SCORED,
} from './format';
import type { WeightFunctions } from './weights';

export interface SnapshotEncoderOptions {
  /** the sequence number of the last log batch applied to the engine (the snapshot contains it) */
  logSeq: number;
  /** ms since the epoch */
  createdAt: number;
  /** names of the sorted sets' weight functions (weights derived on load are not stored) */
  weights?: WeightFunctions;
  /** deflate level for DATA sections, or 0 for none (default 1: fast, about half the size) */
  deflateLevel?: number;
  /** a DATA section is closed once its body reaches this size (default 1 MiB) */
  sectionBytes?: number;
  /** free-form facts written into the META section */
  meta?: Record<string, unknown>;
}

/** Elements per CHUNK record (a chunk is also closed at CHUNK_BYTES). */
const CHUNK_ELEMENTS = 1024;
const CHUNK_BYTES = 256 * 1024;
/** values with more elements than this are remembered by identity once written (see the header) */
const LARGE_VALUE = 64;

/** The header bytes of a snapshot file (format.ts). */
export function snapshotHeader(createdAt: number, logSeq: number): Buffer {
  const h = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  SNAPSHOT_MAGIC.copy(h, 0);
  h.writeUInt16BE(SNAPSHOT_FORMAT_VERSION, 8);
  h.writeUInt16BE(0, 10);
  h.writeDoubleBE(createdAt, 12);
  h.writeDoubleBE(logSeq, 20);
  h.writeUInt32BE(zcrc32(h.subarray(0, 28)), 28);
  return h;
}

/** One framed section: header and stored bytes (deflated when `level` > 0 and that is smaller). */
export function frameSection(kind: number, body: Uint8Array, level: number): Buffer {
  let stored: Uint8Array = body;
  let flags = 0;
  if (level > 0 && body.length > 64) {
    const z = deflateRawSync(body, { level });
    if (z.length < body.length) {
      stored = z;
      flags = SECTION_DEFLATED;
    }
  }
  const out = Buffer.allocUnsafe(SECTION_HEADER_BYTES + stored.length);
  out[0] = kind;
  out[1] = flags;
  out.writeUInt32BE(body.length, 2);
  out.writeUInt32BE(stored.length, 6);
  out.writeUInt32BE(zcrc32(stored, zcrc32(out.subarray(0, 10))), 10);
  out.set(stored, SECTION_HEADER_BYTES);
  return out;
}

/** A value being written chunk by chunk. */
interface Open {
  db: number;
  key: string;
  value: Value;
  /** elements (bytes, for a string) still to write */
  left: number;
  /** where the next chunk starts: an iterator, or an offset (strings) */
  iter: Iterator<unknown> | undefined;
  offset: number;
  weightsKind: number;
  lex: boolean;
}

export class SnapshotEncoder {
  readonly createdAt: number;
  readonly logSeq: number;
  private readonly level: number;
  private readonly sectionBytes: number;
  private readonly weights: WeightFunctions | undefined;
  private readonly w = new ByteWriter(1024 * 1024 + 64 * 1024);
  /** the database the records in `w` belong to (−1: none written yet in this section) */
  private sectionDb = -1;
  /** sections finished and not yet taken */
  private readonly pending: Buffer[] = [];
  private dbIndex = 0;
  private keyIter: Iterator<[string, Value]> | undefined;
  private open: Open | undefined;
  /** per database, keys written as pre-images or created during the snapshot: the walk skips them */
  private readonly touched: Array<Set<string>>;
  private readonly largeWritten = new WeakSet<Value>();
  private keysWritten = 0;
  private dataSections = 0;
  private finished = false;
  private ended = false;
  private readonly dbs: readonly Keyspace[];

  constructor(dbs: readonly Keyspace[], opts: SnapshotEncoderOptions) {
    // the Keyspace objects at the start: SWAPDB during a snapshot finishes it first (beforeWrite(db, undefined))
    this.dbs = [...dbs];
    this.createdAt = opts.createdAt;
    this.logSeq = opts.logSeq;
    this.level = opts.deflateLevel ?? 1;
    this.sectionBytes = opts.sectionBytes ?? 1024 * 1024;
    this.weights = opts.weights;
    this.touched = this.dbs.map(() => new Set<string>());
    const meta = {
      format: SNAPSHOT_FORMAT_VERSION,
      createdAt: opts.createdAt,
      logSeq: opts.logSeq,
      databases: this.dbs.length,
      keys: this.dbs.map((d) => d.size),
      ...opts.meta,
    };
    this.pending.push(frameSection(SECTION_META, Buffer.from(JSON.stringify(meta), 'utf8'), 0));
  }

  header(): Buffer {
    return snapshotHeader(this.createdAt, this.logSeq);
  }

  /** True once the END section has been handed out. */
  get done(): boolean {
    return this.ended && this.pending.length === 0;
  }

  /**
   * The next section to write, or undefined when the snapshot is complete. Each call does about one section's
   * work, so a caller that awaits between calls lets the engine serve meanwhile.
   */
  next(): Buffer | undefined {
    while (this.pending.length === 0 && !this.ended) this.step();
    return this.pending.shift();
  }

  /** Sections made so far and not yet taken (pre-images made by beforeWrite wait here). */
  get pendingSections(): number {
    return this.pending.length;
  }

  /**
   * Call before a write changes `key` of database `db` (undefined: keys unknown, or every key). Writes the key's
   * pre-image if the snapshot still needs it; with undefined, finishes the snapshot.
   */
  beforeWrite(db: number, key: string | undefined): void {
    if (this.finished) return;
    if (key === undefined) {
      while (!this.finished) this.step();
      return;
    }
    const touched = this.touched[db];
    if (touched === undefined || touched.has(key)) return;
    const open = this.open;
    if (open !== undefined && open.db === db && open.key === key) {
      // the value being written: finish it as it is now (unchanged since the start)
      while (this.open !== undefined) this.continueOpen();
      touched.add(key);
      return;
    }
    touched.add(key);
    const v = this.dbs[db]!.data.get(key);
    if (v === undefined || this.largeWritten.has(v)) return;
    // records of two values never interleave: the walk's open value is finished first
    while (this.open !== undefined) this.continueOpen();
    this.beginKey(db, key, v);
    while (this.open !== undefined) this.continueOpen();
  }

  /** One unit of work: part of the open value, or the next key, or the end. */
  private step(): void {
    if (this.open !== undefined) {
      this.continueOpen();
      return;
    }
    while (this.dbIndex < this.dbs.length) {
      const db = this.dbs[this.dbIndex]!;
      if (this.keyIter === undefined) this.keyIter = db.data.entries();
      const n = this.keyIter.next();
      if (n.done) {
        this.keyIter = undefined;
        this.dbIndex++;
        continue;
      }
      const [key, value] = n.value;
      if (this.touched[this.dbIndex]!.has(key) || this.largeWritten.has(value)) continue;
      this.beginKey(this.dbIndex, key, value);
      return;
    }
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closeSection();
    const end = new ByteWriter(32);
    end.varint(this.keysWritten);
    end.varint(this.dataSections);
    this.pending.push(frameSection(SECTION_END, end.view(), 0));
    this.ended = true;
  }

  private selectDb(db: number): void {
    if (this.sectionDb === db) return;
    this.w.u8(REC_DB);
    this.w.varint(db);
    this.sectionDb = db;
  }

  /** Closes the section being built if it has reached its size (or `force`). */
  private maybeClose(force = false): void {
    if (this.w.pos === 0 || (!force && this.w.pos < this.sectionBytes)) return;
    this.closeSection();
  }

  private closeSection(): void {
    if (this.w.pos === 0) return;
    this.pending.push(frameSection(SECTION_DATA, this.w.view(), this.level));
    this.dataSections++;
    this.w.reset();
    this.sectionDb = -1;
  }

  private beginKey(db: number, key: string, v: Value): void {
    this.keysWritten++;
    this.selectDb(db);
    const w = this.w;
    const ks = this.dbs[db]!;
    const at = ks.expires.size > 0 ? ks.expires.get(key) : undefined;
    const open: Open = { db, key, value: v, left: 0, iter: undefined, offset: 0, weightsKind: 0, lex: true };
    w.u8(REC_KEY);
    switch (v.type) {
      case 'string':
        w.u8(TYPE_STRING);
        break;
      case 'hash':
        w.u8(TYPE_HASH);
        break;
      case 'set':
        w.u8(TYPE_SET);
        break;
      case 'list':
        w.u8(TYPE_LIST);
        break;
      case 'zset':
        w.u8(TYPE_ZSET);
        break;
    }
    w.latin1(key);
    w.u8(at !== undefined ? KEY_HAS_EXPIRE : 0);
    if (at !== undefined) w.f64(at);
    switch (v.type) {
      case 'string':
        open.left = v.v.length;
        break;
      case 'hash':
        open.left = v.v.size;
        open.iter = v.v.entries();
        break;
      case 'set':
        open.left = v.v.size;
        open.iter = v.v.values();
        break;
      case 'list':
        open.left = v.v.length;
        open.iter = v.v.values();
        break;
      case 'zset':
        this.beginZset(v.v, open);
        break;
    }
    w.varint(open.left);
    if (open.left > LARGE_VALUE) this.largeWritten.add(v);
    this.open = open;
    if (open.left === 0) this.open = undefined;
    this.maybeClose();
  }

  private beginZset(z: SortedSet, open: Open): void {
    const w = this.w;
    open.lex = z.isLexMode;
    w.u8(open.lex ? ZSET_LEX : ZSET_SCORED);
    w.f64(open.lex && z.size > 0 ? z.at(0)![1] : 0);
    const derived = open.lex ? z.weightOfPayloads : undefined;
    const name = derived !== undefined ? this.weights?.nameOf(derived) : undefined;
    if (derived !== undefined && name === undefined)
      throw new Error('snapshot: a sorted set has an unnamed weight function');
    if (name !== undefined) {
      open.weightsKind = WEIGHTS_DERIVED;
      w.u8(WEIGHTS_DERIVED);
      w.latin1(name);
    } else {
      open.weightsKind = z.size > 0 && z.weightBetween(0, z.size) !== 0 ? WEIGHTS_FLOAT : WEIGHTS_NONE;
      w.u8(open.weightsKind);
    }
    open.left = z.size;
    open.iter = z.entries();
  }

  /** Writes the next chunk of the open value. */
  private continueOpen(): void {
    const open = this.open!;
    const w = this.w;
    this.selectDb(open.db);
    const v = open.value;
    w.u8(REC_CHUNK);
    if (v.type === 'string') {
      const n = Math.min(open.left, CHUNK_BYTES);
      w.varint(n);
      w.raw(v.v, open.offset, open.offset + n);
      open.offset += n;
      open.left -= n;
    } else {
      const startPos = w.pos;
      const count = Math.min(open.left, CHUNK_ELEMENTS);
      // the count is written first, as a placeholder of fixed width, and patched if the chunk closes early
      w.ensure(4);
      const countAt = w.pos;
      w.pos += 4;
      let n = 0;
      let prev: Buffer | undefined;
      while (n < count && w.pos - startPos < CHUNK_BYTES) {
        const next = open.iter?.next();
        switch (v.type) {
          case 'hash': {
            const [f, val] = next!.value as [string, Buffer];
            w.latin1(f);
            w.bytes(val);
            break;
          }
          case 'set':
            w.latin1(next!.value as string);
            break;
          case 'list':
            w.bytes(next!.value as Buffer);
            break;
          case 'zset':
            prev = this.zsetEntry(next!.value as SortedEntry, prev, open);
            break;
        }
        n++;
      }
      // a 4-byte varint: the count's high bits padded (readers accept redundant continuation bytes)
      const b = w.buf;
      b[countAt] = (n & 0x7f) | 0x80;
      b[countAt + 1] = ((n >>> 7) & 0x7f) | 0x80;
      b[countAt + 2] = ((n >>> 14) & 0x7f) | 0x80;
      b[countAt + 3] = (n >>> 21) & 0x7f;
      open.left -= n;
    }
    if (open.left === 0) this.open = undefined;
    this.maybeClose();
  }

  private zsetEntry(e: SortedEntry, prev: Buffer | undefined, open: Open): Buffer {
    const w = this.w;
    const m = e.member;
    if (!open.lex) w.f64(e.score);
    let shared = 0;
    if (prev !== undefined) {
      const max = Math.min(prev.length, m.length);
      while (shared < max && prev[shared] === m[shared]) shared++;
    }
    w.varint(shared);
    w.bytes(m, shared, m.length);
    const p = e.payload;
    if (p === undefined) w.varint(0);
    else {
      w.varint(p.length + 1);
      w.raw(p);
    }
    if (open.weightsKind === WEIGHTS_FLOAT) w.f64(e.weight ?? 0);
    return m;
  }
}
