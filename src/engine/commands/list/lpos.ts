import type { CommandSpec } from '../../command';
import { NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, EMPTY_ARRAY, error, int, NULL, type Reply } from '../../reply';
import { isOpt } from '../arguments';
import { isList, listAt, oneKey } from './access';
import { positiveCount } from './arguments';

const RANK_ZERO = error(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
const COUNT_NEGATIVE = error("ERR COUNT can't be negative");
const MAXLEN_NEGATIVE = error("ERR MAXLEN can't be negative");

export const lpos: CommandSpec = {
  name: 'lpos',
  arity: -3,
  flags: ['readonly'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
  summary: 'Returns the index of matching elements in a list.',
  since: '6.0.6',
  run({ argv, db, now }) {
    let rank = 1;
    let count = -1;
    let maxlen = 0;
    // Redis 7.0 negates a RANK of LONG_MIN into itself: every match then counts (rank 1) and COUNT never stops
    let rankMin = false;
    for (let j = 3; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (isOpt(argv[j], 'RANK') && more > 0) {
        const b = argv[++j]!;
        const r = parseInt64(b);
        if (r === undefined) return NOT_INTEGER;
        if (r === 0n) return RANK_ZERO;
        rank = Number(r);
        rankMin = r === -9223372036854775808n;
      } else if (isOpt(argv[j], 'COUNT') && more > 0) {
        const c = positiveCount(argv[++j]!, COUNT_NEGATIVE, COUNT_NEGATIVE);
        if (typeof c !== 'number') return c;
        count = c;
      } else if (isOpt(argv[j], 'MAXLEN') && more > 0) {
        const m = positiveCount(argv[++j]!, MAXLEN_NEGATIVE, MAXLEN_NEGATIVE);
        if (typeof m !== 'number') return m;
        maxlen = m;
      } else {
        return SYNTAX;
      }
    }
    const fromRight = rank < 0;
    if (fromRight) rank = rankMin ? 1 : -rank;
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return count !== -1 ? EMPTY_ARRAY : NULL;
    if (!isList(list)) return list;
    const element = argv[2]!;
    const found: Reply[] = [];
    let matches = 0;
    let scanned = 0;
    const entries = fromRight ? list.valuesFromRight() : indexed(list.values());
    for (const [i, v] of entries) {
      if (maxlen !== 0 && scanned >= maxlen) break;
      scanned++;
      if (!v.equals(element)) continue;
      matches++;
      if (matches < rank) continue;
      if (count === -1) return int(i);
      found.push(int(i));
      if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
    }
    return count === -1 ? NULL : array(found);
  },
};

function* indexed(it: Iterable<Buffer>): Generator<[number, Buffer], void, undefined> {
  let i = 0;
  for (const v of it) yield [i++, v];
}
