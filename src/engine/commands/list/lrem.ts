import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isList, listAt, listWritten, oneKey } from './access';
import { longArg } from './arguments';

export const lrem: CommandSpec = {
  name: 'lrem',
  arity: 4,
  flags: ['write'],
  keys: oneKey,
  group: 'list',
  complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
  summary: 'Removes elements from a list. Deletes the list if the last element was removed.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const count = longArg(argv[2]!);
    if (typeof count !== 'number') return count;
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return int(0);
    if (!isList(list)) return list;
    const removed = list.removeEqual(argv[3]!, count);
    if (removed > 0) listWritten(db, argv[1]!, list);
    return int(removed);
  },
};
