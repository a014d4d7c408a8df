import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isSortedSet, oneKey, zsetForRead, zsetWritten } from './access';

export const zrem: CommandSpec = {
  name: 'zrem',
  arity: -3,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.',
  since: '1.2.0',
  run({ argv, db, now }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return int(0);
    if (!isSortedSet(zs)) return zs;
    let removed = 0;
    for (let i = 2; i < argv.length; i++) {
      if (zs.remove(argv[i]!)) removed++;
      if (zs.size === 0) break;
    }
    if (removed > 0) zsetWritten(db, argv[1]!, zs);
    return int(removed);
  },
};
