import type { CommandSpec } from '../../command';
import { double, NULL } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';

export const zscore: CommandSpec = {
  name: 'zscore',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(1)',
  summary: 'Returns the score of a member in a sorted set.',
  since: '1.2.0',
  run({ argv, db, now }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return NULL;
    if (!isSortedSet(zs)) return zs;
    const s = zs.score(argv[2]!);
    return s === undefined ? NULL : double(s);
  },
};
