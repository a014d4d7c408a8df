import type { CommandSpec } from '../../command';
import { INDEX_OUT_OF_RANGE, NO_SUCH_KEY } from '../../errors';
import { OK } from '../../reply';
import { isList, listAt, listWritten, oneKey } from './access';
import { longArg } from './arguments';

export const lset: CommandSpec = {
  name: 'lset',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
  summary: 'Sets the value of an element in a list by its index.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return NO_SUCH_KEY;
    if (!isList(list)) return list;
    const index = longArg(argv[2]!);
    if (typeof index !== 'number') return index;
    if (!list.set(index < 0 ? list.length + index : index, argv[3]!)) return INDEX_OUT_OF_RANGE;
    listWritten(db, argv[1]!, list);
    return OK;
  },
};
