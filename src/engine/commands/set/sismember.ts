import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isMembers, memberKey, oneKey, setForRead } from './access';

export const sismember: CommandSpec = {
  name: 'sismember',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity: 'O(1)',
  summary: 'Determines whether a member belongs to a set.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const s = setForRead(db, argv[1]!, now);
    if (s === undefined) return int(0);
    if (!isMembers(s)) return s;
    return int(s.has(memberKey(argv[2]!)) ? 1 : 0);
  },
};
