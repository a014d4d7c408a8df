/**
 * Snapshot decoder: a stream of snapshot bytes → sections checked against their CRC-32 → the engine's databases.
 *
 * Streaming: the file is read in whatever pieces the source gives; a section is decoded as soon as it is whole, and
 * deflated sections are inflated on libuv's thread pool a few ahead of the decoder (the inflating overlaps the
 * decoding, and two sections inflate at once on two cores). Memory: the sections in flight, and the value being
 * built.
 *
 * Every problem is a CorruptError naming what is wrong (bad magic, a format version newer than this code, a
 * checksum, a truncated file, a record that cannot be); the target databases may then hold part of the snapshot,
 * so a caller loads into fresh ones and swaps them in only when the load succeeded.
 */
import { inflateRaw, inflateRawSync, crc32 as zcrc32 } from 'node:zlib';
import type { Keyspace } from '../engine/keyspace';
import { List } from '../engine/structures/list';
import { type KeyClassifier, TreeLoader } from '../engine/structures/packed-btree';
import { type SortedEntry, SortedSet } from '../engine/structures/sortedset';
import type { Value } from '../engine/values';
import { ByteReader, CorruptError } from './bytes';
import {
  KEY_HAS_EXPIRE,
  MAX_SECTION_BYTES,
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
  WEIGHTS_INTEGER,
  WEIGHTS_NONE,
  ZSET_LEX,
  ZSET_SCORED,
} from './format';
import type { WeightFunctions } from './weights';

export interface SnapshotHeader {
  version: number;
  createdAt: number;
  logSeq: number;
}

export interface SectionInfo {
  kind: number;
  deflated: boolean;
  bodyBytes: number;
  storedBytes: number;
}

export interface SnapshotSummary extends SnapshotHeader {
  meta: Record<string, unknown>;
  keys: number;
  sections: SectionInfo[];
  /** bytes read from the source */
  bytes: number;
}

export interface LoadOptions {
  weights?: WeightFunctions;
  /** called after each section with the bytes read so far */
  onProgress?: (bytesRead: number) => void;
  /** sections inflated ahead of the decoder (default 4) */
  readAhead?: number;
}

/** Sections stored in fewer bytes are inflated on the main thread. */
const INLINE_INFLATE_BYTES = 32 * 1024;

/**
 * zlib's options for a section whose body is `expected` bytes: one output chunk of exactly that size (zlib's default
 * 16 KiB chunks made a 1 MiB section 64 Buffers and a concatenation, most of a restore's main-thread time and of
 * its garbage), and never more output than that.
 */
function inflateOptions(expected: number): { chunkSize: number; maxOutputLength: number } {
  return { chunkSize: Math.max(64, expected + 1), maxOutputLength: Math.max(1, expected) };
}

function inflateSync(b: Uint8Array, expected: number): Buffer {
  try {
    return inflateRawSync(b, inflateOptions(expected));
  } catch {
    throw new CorruptError('section does not inflate');
  }
}

/** Inflates on the thread pool; never more than `expected` bytes (a section says how long its body is). */
const promiseInflate = (b: Uint8Array, expected: number): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    inflateRaw(b, inflateOptions(expected), (err, out) => (err ? reject(err) : resolve(out))),
  );

export function parseHeader(h: Buffer): SnapshotHeader {
  if (h.length < SNAPSHOT_HEADER_BYTES || !h.subarray(0, 8).equals(SNAPSHOT_MAGIC))
    throw new CorruptError('not a snapshot file (bad magic)');
  const version = h.readUInt16BE(8);
  if (h.readUInt32BE(28) !== zcrc32(h.subarray(0, 28))) throw new CorruptError('snapshot header checksum mismatch');
  if (version < 1 || version > SNAPSHOT_FORMAT_VERSION)
    throw new CorruptError(
      `snapshot format version ${version} is newer than this build reads (${SNAPSHOT_FORMAT_VERSION}): upgrade s3-index`,
    );
  return { version, createdAt: h.readDoubleBE(12), logSeq: h.readDoubleBE(20) };
}

interface RawSection extends SectionInfo {
  stored: Buffer;
}

/** Bytes arriving in pieces, taken from the front in whole units (a piece is copied only when a unit spans pieces). */
class PieceQueue {
  private pieces: Buffer[] = [];
  private head = 0;
  length = 0;

  push(p: Uint8Array): void {
    if (p.length === 0) return;
    this.pieces.push(Buffer.from(p.buffer, p.byteOffset, p.length));
    this.length += p.length;
  }

  /**
   * The first n bytes (n ≤ length), without consuming them. Bytes that span pieces are copied once into a buffer of
   * exactly n bytes (joining whole pieces copied the next section's bytes too, again for each section).
   */
  peek(n: number): Buffer {
    const first = this.pieces[0]!;
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const joined = Buffer.allocUnsafe(n);
    let have = first.copy(joined, 0, this.head);
    let k = 1;
    while (have < n) {
      const piece = this.pieces[k]!;
      const part = Math.min(piece.length, n - have);
      piece.copy(joined, have, 0, part);
      have += part;
      if (part < piece.length) {
        // the rest of this piece stays queued after the joined bytes
        this.pieces[k] = piece.subarray(part);
        break;
      }
      k++;
    }
    this.pieces.splice(0, k, joined);
    this.head = 0;
    return joined;
  }

  take(n: number): Buffer {
    const out = this.peek(n);
    this.head += n;
    this.length -= n;
    while (this.pieces.length > 0 && this.head >= this.pieces[0]!.length) {
      this.head -= this.pieces[0]!.length;
      this.pieces.shift();
    }
    return out;
  }
}

/** Splits a byte stream into the header and checked, framed sections. */
async function* framedSections(
  source: AsyncIterable<Uint8Array>,
  onHeader: (h: SnapshotHeader) => void,
  count: (n: number) => void,
): AsyncGenerator<RawSection> {
  const q = new PieceQueue();
  let headerDone = false;
  let sawEnd = false;
  for await (const piece of source) {
    count(piece.length);
    q.push(piece);
    for (;;) {
      if (!headerDone) {
        if (q.length < SNAPSHOT_HEADER_BYTES) break;
        onHeader(parseHeader(q.take(SNAPSHOT_HEADER_BYTES)));
        headerDone = true;
        continue;
      }
      if (sawEnd) {
        if (q.length > 0) throw new CorruptError('bytes after the end section');
        break;
      }
      if (q.length < SECTION_HEADER_BYTES) break;
      const h = q.peek(SECTION_HEADER_BYTES);
      const kind = h[0]!;
      const flags = h[1]!;
      const bodyBytes = h.readUInt32BE(2);
      const storedBytes = h.readUInt32BE(6);
      const crc = h.readUInt32BE(10);
      if (bodyBytes > MAX_SECTION_BYTES || storedBytes > MAX_SECTION_BYTES)
        throw new CorruptError(`section length ${Math.max(bodyBytes, storedBytes)} is out of range`);
      if (q.length < SECTION_HEADER_BYTES + storedBytes) break;
      const framed = q.take(SECTION_HEADER_BYTES + storedBytes);
      const stored = framed.subarray(SECTION_HEADER_BYTES);
      if (zcrc32(stored, zcrc32(framed.subarray(0, 10))) !== crc)
        throw new CorruptError(`section checksum mismatch (kind ${kind})`);
      if (kind === SECTION_END) sawEnd = true;
      yield { kind, deflated: (flags & SECTION_DEFLATED) !== 0, bodyBytes, storedBytes, stored };
    }
  }
  if (!headerDone) throw new CorruptError('truncated snapshot (no header)');
  if (!sawEnd) throw new CorruptError('truncated snapshot (no end section)');
}

/** A value being filled by CHUNK records. */
interface Building {
  db: Keyspace;
  key: string;
  type: number;
  left: number;
  expireAt: number | undefined;
  // strings
  str?: Buffer;
  offset: number;
  hash?: Map<string, Buffer>;
  set?: Set<string>;
  list?: Buffer[];
  // sorted sets
  lex: boolean;
  commonScore: number;
  weightsKind: number;
  weightFn: SortedSet['weightOfPayloads'];
  classifier: KeyClassifier | undefined;
  /** a lex-mode set: its members go straight into the leaves of its tree */
  loader?: TreeLoader;
  /** a scored set: its entries, sorted by member once complete */
  entries?: SortedEntry[];
}

/**
 * Decodes a snapshot into `dbs` (a load into fresh databases; existing keys of the same name are replaced). With
 * `dbs` undefined, every record is decoded and checked but nothing is kept (verify).
 */
export async function loadSnapshot(
  source: AsyncIterable<Uint8Array>,
  dbs: readonly Keyspace[] | undefined,
  opts: LoadOptions = {},
): Promise<SnapshotSummary> {
  let header: SnapshotHeader | undefined;
  let bytes = 0;
  const sections: SectionInfo[] = [];
  let meta: Record<string, unknown> = {};
  let keys = 0;
  let dataSections = 0;
  let endSeen = false;
  const state: DecodeState = { db: undefined, dbIndex: -1, building: undefined };
  const readAhead = Math.max(1, opts.readAhead ?? 4);
  // bodies in order; deflated ones are inflating on the thread pool
  const queue: Array<{ info: SectionInfo; body: Promise<Buffer> | Buffer }> = [];
  const handle = async (): Promise<void> => {
    const { info, body } = queue.shift()!;
    const b = await body;
    if (b.length !== info.bodyBytes) throw new CorruptError('section length mismatch after inflate');
    if (info.kind === SECTION_META) {
      try {
        meta = JSON.parse(b.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new CorruptError('META section is not JSON');
      }
    } else if (info.kind === SECTION_DATA) {
      dataSections++;
      keys += decodeData(b, dbs, state, opts.weights);
    } else if (info.kind === SECTION_END) {
      if (state.building !== undefined) throw new CorruptError('the end section comes before a value is complete');
      const r = new ByteReader(b);
      const k = r.varint();
      const d = r.varint();
      if (k !== keys || d !== dataSections)
        throw new CorruptError(`end section counts (${k} keys, ${d} sections) do not match the file`);
      endSeen = true;
    }
    // unknown section kinds are skipped: a later format may add some that older readers can ignore
    opts.onProgress?.(bytes);
  };
  try {
    await readAll();
  } finally {
    // a failed load leaves no inflate running behind it
    await Promise.allSettled(queue.map((q) => q.body));
  }
  if (!endSeen || header === undefined) throw new CorruptError('truncated snapshot (no end section)');
  return { ...header, meta, keys, sections, bytes };

  async function readAll(): Promise<void> {
    for await (const s of framedSections(
      source,
      (h) => {
        header = h;
      },
      (n) => {
        bytes += n;
      },
    )) {
      sections.push({ kind: s.kind, deflated: s.deflated, bodyBytes: s.bodyBytes, storedBytes: s.storedBytes });
      // small sections inflate inline: the hop to the thread pool and back costs more than it saves
      const body = !s.deflated
        ? s.stored
        : s.storedBytes < INLINE_INFLATE_BYTES
          ? inflateSync(s.stored, s.bodyBytes)
          : promiseInflate(s.stored, s.bodyBytes);
      // an inflate that fails before its turn must not be an unhandled rejection
      if (body instanceof Promise) body.catch(() => undefined);
      queue.push({
        info: sections[sections.length - 1]!,
        body:
          body instanceof Promise
            ? body.catch(() => Promise.reject(new CorruptError('section does not inflate')))
            : body,
      });
      if (queue.length >= readAhead) await handle();
    }
    while (queue.length > 0) await handle();
  }
}

interface DecodeState {
  db: Keyspace | undefined;
  dbIndex: number;
  building: Building | undefined;
}

/** Decodes the records of one DATA section; returns the number of keys begun in it. */
function decodeData(
  body: Buffer,
  dbs: readonly Keyspace[] | undefined,
  st: DecodeState,
  weights: WeightFunctions | undefined,
): number {
  const r = new ByteReader(body);
  let keys = 0;
  let dbSet = false;
  while (!r.done) {
    const rec = r.u8();
    if (rec === REC_DB) {
      const i = r.varint();
      if (dbs !== undefined && i >= dbs.length) throw new CorruptError(`database ${i} does not exist here`);
      st.dbIndex = i;
      st.db = dbs?.[i];
      dbSet = true;
      continue;
    }
    if (!dbSet) throw new CorruptError('a data section must start with its database');
    if (rec === REC_KEY) {
      if (st.building !== undefined) throw new CorruptError('a key begins before the previous value is complete');
      keys++;
      beginKey(r, st, weights);
    } else if (rec === REC_CHUNK) {
      const b = st.building;
      if (b === undefined) throw new CorruptError('a chunk with no value to fill');
      readChunk(r, b);
      if (b.left === 0) {
        finishValue(b, dbs !== undefined);
        st.building = undefined;
      }
    } else throw new CorruptError(`unknown record ${rec}`);
  }
  return keys;
}

function beginKey(r: ByteReader, st: DecodeState, weights: WeightFunctions | undefined): void {
  const type = r.u8();
  const key = r.latin1();
  const flags = r.u8();
  const expireAt = (flags & KEY_HAS_EXPIRE) !== 0 ? r.f64() : undefined;
  const b: Building = {
    db: st.db!,
    key,
    type,
    left: 0,
    expireAt,
    offset: 0,
    lex: true,
    commonScore: 0,
    weightsKind: WEIGHTS_NONE,
    weightFn: undefined,
    classifier: undefined,
  };
  switch (type) {
    case TYPE_STRING:
      b.left = r.varint();
      b.str = Buffer.allocUnsafe(b.left);
      break;
    case TYPE_HASH:
      b.left = r.varint();
      b.hash = new Map();
      break;
    case TYPE_SET:
      b.left = r.varint();
      b.set = new Set();
      break;
    case TYPE_LIST:
      b.left = r.varint();
      b.list = [];
      break;
    case TYPE_ZSET: {
      const mode = r.u8();
      if (mode !== ZSET_LEX && mode !== ZSET_SCORED) throw new CorruptError(`unknown sorted-set mode ${mode}`);
      b.lex = mode === ZSET_LEX;
      b.commonScore = r.f64();
      b.weightsKind = r.u8();
      if (b.weightsKind === WEIGHTS_DERIVED) {
        const name = r.latin1();
        b.weightFn = weights?.byName(name);
        if (b.weightFn === undefined) throw new CorruptError(`unknown weight function '${name}'`);
        b.classifier = weights?.classifierOf(name);
      } else if (b.weightsKind > WEIGHTS_DERIVED) throw new CorruptError(`unknown weights kind ${b.weightsKind}`);
      b.left = r.varint();
      if (b.lex) b.loader = new TreeLoader(undefined, b.weightFn, b.classifier);
      else b.entries = [];
      break;
    }
    default:
      throw new CorruptError(`unknown value type ${type}`);
  }
  st.building = b;
  if (b.left === 0) {
    if (type !== TYPE_STRING) throw new CorruptError('an empty collection');
    finishValue(b, st.db !== undefined);
    st.building = undefined;
  }
}

function readChunk(r: ByteReader, b: Building): void {
  const n = r.varint();
  if (n === 0 || n > b.left) throw new CorruptError('a chunk count out of range');
  b.left -= n;
  switch (b.type) {
    case TYPE_STRING: {
      const part = r.take(n);
      part.copy(b.str!, b.offset);
      b.offset += n;
      return;
    }
    case TYPE_HASH: {
      const h = b.hash!;
      for (let i = 0; i < n; i++) {
        const f = r.latin1();
        h.set(f, r.bytesCopy());
      }
      return;
    }
    case TYPE_SET: {
      const s = b.set!;
      for (let i = 0; i < n; i++) s.add(r.latin1());
      return;
    }
    case TYPE_LIST: {
      const l = b.list!;
      for (let i = 0; i < n; i++) l.push(r.bytesCopy());
      return;
    }
    case TYPE_ZSET: {
      if (b.loader !== undefined) {
        readLexMembers(r, b, n);
        return;
      }
      const out = b.entries!;
      let prev: Buffer | undefined;
      for (let i = 0; i < n; i++) {
        const score = b.lex ? b.commonScore : r.f64();
        const shared = r.varint();
        const suffix = r.bytes();
        if (shared > 0 && (prev === undefined || shared > prev.length))
          throw new CorruptError('a front-coded member shares more than its predecessor has');
        const member = Buffer.allocUnsafe(shared + suffix.length);
        if (shared > 0) prev!.copy(member, 0, 0, shared);
        suffix.copy(member, shared);
        const tag = r.varint();
        const payload = tag === 0 ? undefined : Buffer.from(r.take(tag - 1));
        let weight = 0;
        if (b.weightsKind === WEIGHTS_FLOAT) weight = r.f64();
        else if (b.weightsKind === WEIGHTS_INTEGER) weight = r.varint();
        out.push({ member, score, payload, weight });
        prev = member;
      }
      return;
    }
  }
}

/**
 * The n members of a lex-mode chunk, straight into the set's TreeLoader: the front-coded suffix and the payload are
 * copied from the section's bytes into the leaf being filled, and no Buffer is made per member.
 */
function readLexMembers(r: ByteReader, b: Building, n: number): void {
  const loader = b.loader!;
  const buf = r.buf;
  const end = r.end;
  const weightsKind = b.weightsKind;
  try {
    for (let i = 0; i < n; i++) {
      const shared = r.varint();
      if (i === 0 && shared !== 0) throw new CorruptError('the first member of a chunk shares a prefix');
      const sl = r.varint();
      const ss = r.pos;
      if (ss + sl > end) throw new CorruptError('unexpected end of data');
      r.pos = ss + sl;
      const tag = r.varint();
      const vs = r.pos;
      const vl = tag - 1;
      if (vs + (tag === 0 ? 0 : vl) > end) throw new CorruptError('unexpected end of data');
      r.pos = vs + (tag === 0 ? 0 : vl);
      let weight = 0;
      if (weightsKind === WEIGHTS_FLOAT) weight = r.f64();
      else if (weightsKind === WEIGHTS_INTEGER) weight = r.varint();
      loader.addFrontCoded(shared, buf, ss, sl, buf, vs, vl, weight);
    }
  } catch (err) {
    if (err instanceof CorruptError) throw err;
    throw new CorruptError(`sorted set ${JSON.stringify(b.key)}: ${(err as Error).message}`);
  }
}

function finishValue(b: Building, keep: boolean): void {
  let v: Value;
  switch (b.type) {
    case TYPE_STRING:
      v = { type: 'string', v: b.str! };
      break;
    case TYPE_HASH:
      v = { type: 'hash', v: b.hash! };
      break;
    case TYPE_SET:
      v = { type: 'set', v: b.set! };
      break;
    case TYPE_LIST:
      v = { type: 'list', v: List.from(b.list!) };
      break;
    default: {
      let z: SortedSet;
      try {
        const loader = b.loader;
        z =
          loader !== undefined
            ? SortedSet.fromLexTree(loader.finish(), b.commonScore, loader.maxKeyLength, b.weightFn, b.classifier)
            : SortedSet.fromSorted(b.entries!, b.weightFn, b.classifier);
      } catch (err) {
        throw new CorruptError(`sorted set ${JSON.stringify(b.key)}: ${(err as Error).message}`);
      }
      v = { type: 'zset', v: z };
    }
  }
  if (!keep) return;
  b.db.data.set(b.key, v);
  if (b.expireAt !== undefined) b.db.expires.set(b.key, b.expireAt);
  else b.db.expires.delete(b.key);
}
