import type { CommandSpec } from '../../command';
import { MIN_MAX_NOT_FLOAT } from '../../errors';
import { int } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';
import { parseScoreBound, scoreWindow, windowLength } from './range-parsing';

export const zcount: CommandSpec = {
  name: 'zcount',
  arity: 4,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Returns the count of members in a sorted set that have scores within a range.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const min = parseScoreBound(argv[2]!);
    const max = parseScoreBound(argv[3]!);
    if (min === undefined || max === undefined) return MIN_MAX_NOT_FLOAT;
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return int(0);
    if (!isSortedSet(zs)) return zs;
    return int(windowLength(scoreWindow(zs, min, max)));
  },
};
