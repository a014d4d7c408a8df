import type { CommandSpec } from '../../command';
import { COUNT_POSITIVE, NUMKEYS_POSITIVE, SYNTAX } from '../../errors';
import { NULL_ARRAY } from '../../reply';
import { isOpt } from '../arguments';
import { movableKeys, numkeysKeys } from '../zset/access';
import { isList, listAt, popReply, sideArg } from './access';
import { positiveCount } from './arguments';

export const lmpop: CommandSpec = {
  name: 'lmpop',
  arity: -4,
  flags: ['write'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'list',
  complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  summary:
    'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
  since: '7.0.0',
  run({ argv, db, now }) {
    const numkeys = positiveCount(argv[1]!, NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, 1);
    if (typeof numkeys !== 'number') return numkeys;
    const whereIndex = 2 + numkeys;
    if (whereIndex >= argv.length) return SYNTAX;
    const side = sideArg(argv[whereIndex]!);
    if (side === undefined) return SYNTAX;
    let count = -1;
    for (let j = whereIndex + 1; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (count === -1 && isOpt(argv[j], 'COUNT') && more > 0) {
        const c = positiveCount(argv[++j]!, COUNT_POSITIVE, COUNT_POSITIVE, 1);
        if (typeof c !== 'number') return c;
        count = c;
      } else {
        return SYNTAX;
      }
    }
    for (let i = 2; i < whereIndex; i++) {
      const list = listAt(db, argv[i]!, now);
      if (list === undefined) continue;
      if (!isList(list)) return list;
      return popReply(db, argv[i]!, list, side, count === -1 ? 1 : count);
    }
    return NULL_ARRAY;
  },
};
