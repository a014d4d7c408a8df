import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';

export const zcard: CommandSpec = {
  name: 'zcard',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(1)',
  summary: 'Returns the number of members in a sorted set.',
  since: '1.2.0',
  run({ argv, db, now }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return int(0);
    return isSortedSet(zs) ? int(zs.size) : zs;
  },
};
