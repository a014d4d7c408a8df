import type { CommandSpec } from '../../command';
import { bulkOrNull, NULL } from '../../reply';
import { isList, listAt, oneKey } from './access';
import { longArg } from './arguments';

export const lindex: CommandSpec = {
  name: 'lindex',
  arity: 3,
  flags: ['readonly'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
  summary: 'Returns an element from a list by its index.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return NULL;
    if (!isList(list)) return list;
    const index = longArg(argv[2]!);
    if (typeof index !== 'number') return index;
    return bulkOrNull(list.at(index < 0 ? list.length + index : index));
  },
};
