/**
 * SCAN over the keyspace, a JS Map kept in insertion order.
 *
 * A cursor is a position: how many entries of the Map's iteration order the scan has passed. Each database keeps
 * the live iterators of recent scans (an LRU of SCAN_CURSORS_KEPT) under the cursor they answer to next, so a
 * continuing SCAN resumes in O(1). A Map iterator skips entries deleted after it started and visits entries added
 * after it started, so a scan that resumes from the cache returns every key that exists from its first call to its
 * last, never returns a key twice unless it was deleted and added again, and ends (cursor 0) after at most N + the
 * number of keys added meanwhile entries — Redis's guarantees, without its repeats.
 *
 * A cursor that is not cached (reused by a second client, evicted, or from before a restart) is resumed by walking
 * `cursor` entries from the start: O(cursor) once, and keys deleted before that position meanwhile shift the rest,
 * so a few keys may then be skipped. Any 64-bit number is a valid cursor, as in Redis.
 */
import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from '../../errors';
import { globMatch } from '../../glob';
import type { Keyspace } from '../../keyspace';
import { parseInt64 } from '../../numbers';
import { array, bulkArray, bulkStr } from '../../reply';
import { keyBytes } from '../../values';
import { isOpt } from '../arguments';

const SCAN_CURSORS_KEPT = 64;
const DEFAULT_COUNT = 10;
const UINT64_MAX = 18446744073709551615n;

interface Cursors {
  /** cursor → iterator positioned there; Map order is the LRU order */
  live: Map<number, Iterator<string>>;
}
const cursorsByDb = new WeakMap<Keyspace, Cursors>();

/** strtoul as Redis uses it: optional sign, digits, no spaces, at most 2^64-1; a negative value wraps. */
export function parseCursor(b: Buffer): bigint | undefined {
  const s = b.toString('latin1');
  if (!/^[+-]?\d*$/.test(s)) return undefined;
  const digits = s.replace(/^[+-]/, '');
  if (digits.length === 0) return s.length === 0 ? 0n : undefined;
  const v = BigInt(digits);
  if (v > UINT64_MAX) return undefined;
  return s[0] === '-' && v !== 0n ? UINT64_MAX + 1n - v : v;
}

function takeIterator(db: Keyspace, cursor: bigint): Iterator<string> {
  const cursors = cursorsByDb.get(db);
  const pos = Number(cursor);
  const cached = cursors?.live.get(pos);
  if (cached !== undefined) {
    cursors!.live.delete(pos);
    return cached;
  }
  const it = db.data.keys();
  if (cursor >= BigInt(db.size)) {
    // past the end: exhaust at once (a Map iterator that has finished stays finished)
    while (!it.next().done);
    return it;
  }
  for (let i = 0; i < pos; i++) it.next();
  return it;
}

function keepIterator(db: Keyspace, cursor: number, it: Iterator<string>): void {
  let cursors = cursorsByDb.get(db);
  if (cursors === undefined) {
    cursors = { live: new Map() };
    cursorsByDb.set(db, cursors);
  }
  cursors.live.delete(cursor);
  cursors.live.set(cursor, it);
  if (cursors.live.size > SCAN_CURSORS_KEPT) {
    const oldest = cursors.live.keys().next().value;
    if (oldest !== undefined) cursors.live.delete(oldest);
  }
}

export const scan: CommandSpec = {
  name: 'scan',
  arity: -2,
  flags: ['readonly'],
  keys: NO_KEYS,
  group: 'generic',
  complexity:
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  summary: 'Incrementally iterate the keys space',
  since: '2.8.0',
  run({ db, argv, now }) {
    const cursor = parseCursor(argv[1]!);
    if (cursor === undefined) return INVALID_CURSOR;
    let count = DEFAULT_COUNT;
    let pattern: Buffer | undefined;
    let typeName: string | undefined;
    for (let i = 2; i < argv.length; i += 2) {
      const hasValue = i + 1 < argv.length;
      if (isOpt(argv[i], 'COUNT') && hasValue) {
        const n = parseInt64(argv[i + 1]!);
        if (n === undefined) return NOT_INTEGER;
        if (n < 1n) return SYNTAX;
        count = Number(n);
      } else if (isOpt(argv[i], 'MATCH') && hasValue) {
        const p = argv[i + 1]!;
        pattern = p.length === 1 && p[0] === 0x2a ? undefined : p;
      } else if (isOpt(argv[i], 'TYPE') && hasValue) {
        typeName = argv[i + 1]!.toString('latin1').toLowerCase();
      } else {
        return SYNTAX;
      }
    }

    const it = takeIterator(db, cursor);
    const found: Buffer[] = [];
    let visited = 0;
    let done = false;
    while (visited < count) {
      const next = it.next();
      if (next.done) {
        done = true;
        break;
      }
      visited++;
      const key = next.value;
      const bytes = keyBytes(key);
      if (pattern !== undefined && !globMatch(pattern, bytes)) continue;
      // expires the key when past its deadline (deleting from a Map under iteration is safe)
      const value = db.lookup(key, now);
      if (value === undefined) continue;
      if (typeName !== undefined && value.type !== typeName) continue;
      found.push(bytes);
    }
    if (done) return array([bulkStr('0'), bulkArray(found)]);
    const nextCursor = Number(cursor) + visited;
    keepIterator(db, nextCursor, it);
    return array([bulkStr(String(nextCursor)), bulkArray(found)]);
  },
};
