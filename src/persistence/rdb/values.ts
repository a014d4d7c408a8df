/**
 * One RDB value → an engine Value (`readValue`; rdb.c rdbLoadObject). The types read: STRING, LIST, SET, ZSET (ASCII
 * scores, with the 253/254/255 NaN/+inf/-inf codes), ZSET_2, HASH, HASH_ZIPMAP, LIST_ZIPLIST, SET_INTSET, ZSET_ZIPLIST,
 * HASH_ZIPLIST, LIST_QUICKLIST, HASH_LISTPACK, ZSET_LISTPACK, LIST_QUICKLIST_2 (PLAIN and PACKED nodes), SET_LISTPACK
 * (the compact encodings decoded by encodings.ts). Streams (STREAM_LISTPACKS 15, 19, 21) and MODULE_2 values are
 * parsed only far enough to step over them, and reported as skipped (never half-loaded); MODULE (6, not
 * self-describing) cannot be stepped over and stops the load. Module aux data is stepped over here too.
 *
 * Values are built the engine's way: lists through List.from (packed or ring by size), sets and hashes as the
 * Set/Map the commands use (their OBJECT ENCODING then follows from their contents, as when Redis loads them),
 * sorted sets through SortedSet.fromSorted (listpack or skiplist by Redis's thresholds). Empty collections read as
 * null; a duplicate member, field or set element and a NaN score are errors, as in Redis.
 */
import { latin1Slice } from '../../engine/buffer-slices';
import { List } from '../../engine/structures/list';
import { type SortedEntry, SortedSet } from '../../engine/structures/sortedset';
import type { Value } from '../../engine/values';
import { intsetMembers, listpackEntries, ziplistEntries, zipmapPairs } from './encodings';
import {
  MOD_DOUBLE,
  MOD_EOF,
  MOD_FLOAT,
  MOD_SINT,
  MOD_STRING,
  MOD_UINT,
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_MODULE,
  RDB_TYPE_MODULE_2,
  RDB_TYPE_SET,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_SET_LISTPACK,
  RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STREAM_LISTPACKS_3,
  RDB_TYPE_STRING,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_ZSET_ZIPLIST,
} from './format';
import { parseDouble, type Reader } from './reader';

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
export function moduleName(id: bigint): string {
  const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 9; i++) s += CHARSET[Number((id >> BigInt(64 - 6 * (i + 1))) & 63n)] ?? '?';
  return s;
}

/** Steps over a module's self-describing data (MODULE_2 values, MODULE_AUX), up to its EOF opcode. */
export function skipModuleData(r: Reader): void {
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
export function moduleId(r: Reader): bigint {
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
  if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
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
    if (type >= RDB_TYPE_STREAM_LISTPACKS_2) r.skipLen(); // entries read (-1: not known)
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
      if (type >= RDB_TYPE_STREAM_LISTPACKS_3) r.take(8); // active time
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
    case RDB_TYPE_STRING:
      return { type: 'string', v: r.stringCopy() };
    case RDB_TYPE_LIST: {
      const n = r.len();
      const items: Buffer[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = r.stringCopy();
      return n === 0 ? null : { type: 'list', v: List.from(items) };
    }
    case RDB_TYPE_SET: {
      const n = r.len();
      const s = new Set<string>();
      for (let i = 0; i < n; i++) s.add(r.latin1());
      if (s.size !== n) fail('a duplicate set member');
      return n === 0 ? null : { type: 'set', v: s };
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = r.len();
      const entries: SortedEntry[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const member = r.stringCopy();
        const score = type === RDB_TYPE_ZSET ? r.asciiDouble() : r.f64le();
        entries[i] = { member, score };
      }
      const z = buildZset(entries, fail);
      return z === undefined ? null : { type: 'zset', v: z };
    }
    case RDB_TYPE_HASH: {
      const n = r.len();
      const h = new Map<string, Buffer>();
      for (let i = 0; i < n; i++) {
        const f = r.latin1();
        h.set(f, r.stringCopy());
      }
      if (h.size !== n) fail('a duplicate hash field');
      return n === 0 ? null : { type: 'hash', v: h };
    }
    case RDB_TYPE_HASH_ZIPMAP: {
      const h = hashOf(zipmapPairs(r.string(), fail), fail);
      return h.size === 0 ? null : { type: 'hash', v: h };
    }
    case RDB_TYPE_LIST_ZIPLIST: {
      const items = ziplistEntries(r.string(), fail);
      return items.length === 0 ? null : { type: 'list', v: List.from(items) };
    }
    case RDB_TYPE_SET_INTSET: {
      const s = setOf(intsetMembers(r.string(), fail), fail);
      return s.size === 0 ? null : { type: 'set', v: s };
    }
    case RDB_TYPE_SET_LISTPACK: {
      const s = setOf(listpackEntries(r.string(), fail).map(latin1), fail);
      return s.size === 0 ? null : { type: 'set', v: s };
    }
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const blob = r.string();
      const items = type === RDB_TYPE_ZSET_ZIPLIST ? ziplistEntries(blob, fail) : listpackEntries(blob, fail);
      const entries: SortedEntry[] = [];
      for (const [member, score] of pairsOf(items, fail))
        entries.push({ member, score: parseDouble(score.toString('latin1'), fail) });
      const z = buildZset(entries, fail);
      return z === undefined ? null : { type: 'zset', v: z };
    }
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const blob = r.string();
      const items = type === RDB_TYPE_HASH_ZIPLIST ? ziplistEntries(blob, fail) : listpackEntries(blob, fail);
      const h = hashOf(pairsOf(items, fail), fail);
      return h.size === 0 ? null : { type: 'hash', v: h };
    }
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const nodes = r.len();
      const items: Buffer[] = [];
      for (let i = 0; i < nodes; i++) {
        if (type === RDB_TYPE_LIST_QUICKLIST) {
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
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      skipStream(r, type);
      return 'stream';
    case RDB_TYPE_MODULE_2: {
      const id = moduleId(r);
      skipModuleData(r);
      return `module ${moduleName(id)}`;
    }
    case RDB_TYPE_MODULE:
      return fail(
        'a module value in the MODULE (1) format, which cannot be stepped over without its module: this file cannot be loaded',
      );
    default:
      return fail(`unknown value type ${type}`);
  }
}
