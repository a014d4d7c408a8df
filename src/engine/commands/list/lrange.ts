import type { CommandSpec } from '../../command';
import { bulkArray, EMPTY_ARRAY } from '../../reply';
import { isList, listAt, oneKey } from './access';
import { longArg, resolveRange } from './arguments';

export const lrange: CommandSpec = {
  name: 'lrange',
  arity: 4,
  flags: ['readonly'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
  summary: 'Returns a range of elements from a list.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const start = longArg(argv[2]!);
    if (typeof start !== 'number') return start;
    const stop = longArg(argv[3]!);
    if (typeof stop !== 'number') return stop;
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return EMPTY_ARRAY;
    if (!isList(list)) return list;
    const [from, to] = resolveRange(start, stop, list.length);
    return bulkArray(list.range(from, to));
  },
};
