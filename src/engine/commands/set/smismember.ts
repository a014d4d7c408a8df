import type { CommandSpec } from '../../command';
import { array, int } from '../../reply';
import { isMembers, memberKey, oneKey, setForRead } from './access';

export const smismember: CommandSpec = {
  name: 'smismember',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity: 'O(N) where N is the number of elements being checked for membership',
  summary: 'Determines whether multiple members belong to a set.',
  since: '6.2.0',
  run({ argv, db, now }) {
    const s = setForRead(db, argv[1]!, now);
    if (s !== undefined && !isMembers(s)) return s;
    return array(argv.slice(2).map((m) => int(s?.has(memberKey(m)) ? 1 : 0)));
  },
};
