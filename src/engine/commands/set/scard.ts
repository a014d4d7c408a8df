import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isMembers, oneKey, setForRead } from './access';

export const scard: CommandSpec = {
  name: 'scard',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity: 'O(1)',
  summary: 'Returns the number of members in a set.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const s = setForRead(db, argv[1]!, now);
    if (s === undefined) return int(0);
    if (!isMembers(s)) return s;
    return int(s.size);
  },
};
