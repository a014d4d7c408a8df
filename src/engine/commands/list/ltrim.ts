import type { CommandSpec } from '../../command';
import { OK } from '../../reply';
import { isList, listAt, listWritten, oneKey } from './access';
import { longArg, resolveRange } from './arguments';

export const ltrim: CommandSpec = {
  name: 'ltrim',
  arity: 4,
  flags: ['write'],
  keys: oneKey,
  group: 'list',
  complexity: 'O(N) where N is the number of elements to be removed by the operation.',
  summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const start = longArg(argv[2]!);
    if (typeof start !== 'number') return start;
    const stop = longArg(argv[3]!);
    if (typeof stop !== 'number') return stop;
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return OK;
    if (!isList(list)) return list;
    const [from, to] = resolveRange(start, stop, list.length);
    list.trim(from, to);
    listWritten(db, argv[1]!, list);
    return OK;
  },
};
