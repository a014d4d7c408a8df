import type { CommandSpec } from '../../command';
import { MIN_MAX_NOT_STRING } from '../../errors';
import { int } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';
import { lexWindow, parseLexBound, windowLength } from './range-parsing';

export const zlexcount: CommandSpec = {
  name: 'zlexcount',
  arity: 4,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Returns the number of members in a sorted set within a lexicographical range.',
  since: '2.8.9',
  run({ argv, db, now }) {
    const min = parseLexBound(argv[2]!);
    const max = parseLexBound(argv[3]!);
    if (min === undefined || max === undefined) return MIN_MAX_NOT_STRING;
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return int(0);
    if (!isSortedSet(zs)) return zs;
    return int(windowLength(lexWindow(zs, min, max)));
  },
};
