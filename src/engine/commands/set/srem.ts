import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isMembers, memberKey, oneKey, setForRead, setWritten } from './access';

export const srem: CommandSpec = {
  name: 'srem',
  arity: -3,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity: 'O(N) where N is the number of members to be removed.',
  summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const s = setForRead(db, argv[1]!, now);
    if (s === undefined) return int(0);
    if (!isMembers(s)) return s;
    let removed = 0;
    for (let i = 2; i < argv.length && s.size > 0; i++) if (s.delete(memberKey(argv[i]!))) removed++;
    if (removed > 0) setWritten(db, argv[1]!, s);
    return int(removed);
  },
};
