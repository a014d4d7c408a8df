import type { CommandSpec } from '../../command';
import { SYNTAX } from '../../errors';
import { int } from '../../reply';
import { isOpt } from '../arguments';
import { isList, listAt, listWritten, oneKey } from './access';

export const linsert: CommandSpec = {
  name: 'linsert',
  arity: 5,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
  summary: 'Inserts an element before or after another element in a list.',
  since: '2.2.0',
  run({ argv, db, now }) {
    let after: boolean;
    if (isOpt(argv[2], 'AFTER')) after = true;
    else if (isOpt(argv[2], 'BEFORE')) after = false;
    else return SYNTAX;
    const list = listAt(db, argv[1]!, now);
    if (list === undefined) return int(0);
    if (!isList(list)) return list;
    const pivot = argv[3]!;
    let i = 0;
    for (const v of list) {
      if (v.equals(pivot)) break;
      i++;
    }
    if (i === list.length) return int(-1);
    list.insert(after ? i + 1 : i, argv[4]!);
    listWritten(db, argv[1]!, list);
    return int(list.length);
  },
};
