import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { isList, listAt, oneKey } from './access';

export const llen: CommandSpec = {
  name: 'llen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'list',
  complexity: 'O(1)',
  summary: 'Returns the length of a list.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return int(0);
    return isList(list) ? int(list.length) : list;
  },
};
