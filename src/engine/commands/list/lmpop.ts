import type { CommandSpec } from '../../command';
import { COUNT_POSITIVE, NUMKEYS_POSITIVE, SYNTAX } from '../../errors';
import type { Keyspace } from '../../keyspace';
import { NULL_ARRAY, type Reply } from '../../reply';
import { isOpt } from '../arguments';
import { movableKeys, numkeysKeys } from '../zset/access';
import { isList, listAt, popReply, type Side, sideArg } from './access';
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
    const args = parseLmpop(argv, 1);
    if ('t' in args) return args;
    return lmpopFrom(db, args, now);
  },
};

export interface LmpopArgs {
  keys: Buffer[];
  side: Side;
  count: number;
}

/**
 * LMPOP's arguments after CMD (and BLMPOP's timeout): numkeys at argv[numkeysAt], the keys, LEFT|RIGHT, [COUNT n];
 * checked in Redis's order (lmpopGenericCommand).
 */
export function parseLmpop(argv: Buffer[], numkeysAt: number): LmpopArgs | Reply {
  const numkeys = positiveCount(argv[numkeysAt]!, NUMKEYS_POSITIVE, NUMKEYS_POSITIVE, 1);
  if (typeof numkeys !== 'number') return numkeys;
  const whereIndex = numkeysAt + 1 + numkeys;
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
  return { keys: argv.slice(numkeysAt + 1, whereIndex), side, count: count === -1 ? 1 : count };
}

/** Pops from the first non-empty list among the keys ([key, [entries…]]), or a null array when all are missing. */
export function lmpopFrom(db: Keyspace, { keys, side, count }: LmpopArgs, now: number): Reply {
  for (const key of keys) {
    const list = listAt(db, key, now);
    if (list === undefined) continue;
    if (!isList(list)) return list;
    return popReply(db, key, list, side, count);
  }
  return NULL_ARRAY;
}
