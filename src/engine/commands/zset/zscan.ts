import type { CommandSpec } from '../../command';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from '../../errors';
import { globMatch } from '../../glob';
import { formatDouble } from '../../numbers';
import { array, bulk, bulkStr, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';
import { longArg } from './range-parsing';

const ULONG_MAX = 18446744073709551615n;
const EMPTY_SCAN: Reply = array([bulkStr('0'), array([])]);

/** The cursor as Redis's strtoul reads it ("-1" wraps to ULONG_MAX, "" is 0), or undefined when invalid. */
function parseCursor(b: Buffer): bigint | undefined {
  const s = b.toString('latin1');
  if (s === '') return 0n;
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s.replace(/^\+/, ''));
  if (v > ULONG_MAX || v < -ULONG_MAX) return undefined;
  return v < 0n ? ULONG_MAX + 1n + v : v;
}

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]. A small (listpack-encoded) set is returned whole with cursor 0,
 * as Redis does; a large one is walked by rank, `count` entries per call, the cursor being the next rank.
 * Scores come back as bulk strings in both protocols (Redis formats them itself).
 */
export const zscan: CommandSpec = {
  name: 'zscan',
  arity: -3,
  flags: ['readonly'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  summary: 'Iterates over members and scores of a sorted set.',
  since: '2.8.0',
  run({ argv, db, now }) {
    const cursor = parseCursor(argv[2]!);
    if (cursor === undefined) return INVALID_CURSOR;
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return EMPTY_SCAN;
    if (!isSortedSet(zs)) return zs;

    let count = 10;
    let pattern: Buffer | undefined;
    for (let i = 3; i < argv.length; i += 2) {
      const opt = argv[i]!.toString('latin1').toUpperCase();
      const hasValue = i + 1 < argv.length;
      if (opt === 'COUNT' && hasValue) {
        const c = longArg(argv[i + 1]!);
        if (c === undefined) return NOT_INTEGER;
        if (c < 1) return SYNTAX;
        count = c;
      } else if (opt === 'MATCH' && hasValue) {
        const p = argv[i + 1]!;
        pattern = p.length === 1 && p[0] === 0x2a /* * */ ? undefined : p;
      } else {
        return SYNTAX;
      }
    }

    const items: Reply[] = [];
    const visit = (member: Buffer, score: number): void => {
      if (pattern !== undefined && !globMatch(pattern, member)) return;
      items.push(bulk(member), bulkStr(formatDouble(score)));
    };
    let next = 0n;
    if (zs.encoding() === 'listpack') {
      for (const [member, score] of zs) visit(member, score);
    } else if (cursor < BigInt(zs.size)) {
      const from = Number(cursor);
      let seen = 0;
      zs.scan(from, (member, score) => {
        visit(member, score);
        return ++seen < count;
      });
      if (from + seen < zs.size) next = BigInt(from + seen);
    }
    return array([bulkStr(next.toString()), array(items)]);
  },
};
