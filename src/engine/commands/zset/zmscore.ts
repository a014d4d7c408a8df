import type { CommandSpec } from '../../command';
import { array, double, NULL, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';

export const zmscore: CommandSpec = {
  name: 'zmscore',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(N) where N is the number of members being requested.',
  summary: 'Returns the score of one or more members in a sorted set.',
  since: '6.2.0',
  run({ argv, db, now }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs !== undefined && !isSortedSet(zs)) return zs;
    const out: Reply[] = [];
    for (let i = 2; i < argv.length; i++) {
      const s = zs?.score(argv[i]!);
      out.push(s === undefined ? NULL : double(s));
    }
    return array(out);
  },
};
