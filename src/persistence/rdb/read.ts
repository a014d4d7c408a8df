/**
 * RDB reader: an RDB file as redis-server 2.x–7.2 writes it (RDB versions 1–11) → staged databases of engine values.
 *
 * Buffered: the whole file is in memory (a Buffer); values are copied out of it, so the file's buffer is not kept
 * alive by the keys. Nothing is applied to a live engine here: `parseRdb` fills fresh Keyspaces (made with the
 * listener the caller gives, and written without telling it), and `applyRdb` moves the keys into an engine only
 * after the whole file parsed and checked (every key conflict found first). A bad file therefore leaves the engine
 * exactly as it was: every problem is an RdbError naming what is wrong and where (byte offset).
 *
 * The opcodes read here (rdb.c, rdbLoadRio): AUX, RESIZEDB, SELECTDB, EXPIRETIME_MS, EXPIRETIME (seconds), IDLE and
 * FREQ (ignored: no LRU/LFU here), FUNCTION2 (skipped with a warning: this server has no functions), MODULE_AUX
 * (skipped with a warning, as Redis skips the aux data of a module it does not have, when it is in the
 * self-describing MODULE_2 form), EOF then the CRC64 (8 bytes, little-endian; 0 means the writer had rdbchecksum
 * off), checked against all bytes before it. The pre-GA FUNCTION opcode cannot be stepped over and stops the load.
 * Each value is read by values.ts (every type and encoding; streams and module values are stepped over and reported
 * as skipped, never half-loaded). Keys whose deadline has passed are left out (as a Redis master does on load);
 * empty collections are left out (Redis: "empty keys skipped"); a key twice in one database is an error, as in Redis.
 *
 * Also here: `reloadThroughRdb` (DEBUG RELOAD), the engine written by write.ts and read back.
 *
 * Cost: O(file size) time; memory: the file plus the values built.
 */
import type { Engine } from '../../engine/engine';
import { Keyspace, type KeyspaceListener } from '../../engine/keyspace';
import type { SortedSet } from '../../engine/structures/sortedset';
import type { ValueType } from '../../engine/values';
import { Crc64 } from './crc64';
import {
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_FUNCTION_PRE_GA,
  OP_FUNCTION2,
  OP_IDLE,
  OP_MODULE_AUX,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_MAX_VERSION,
  VALUE_TYPES,
} from './format';
import { printable, RdbError, Reader } from './reader';
import { moduleId, moduleName, readValue, skipModuleData } from './values';
import { writeRdbSync } from './write';

export { RdbError } from './reader';

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
