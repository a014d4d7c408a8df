/**
 * BZPOPMIN BZPOPMAX BZMPOP: the non-blocking attempt (see list/blocking.ts for how waiting works).
 */
import type { BlockingSpec, CommandContext, CommandSpec } from '../../command';
import { array, bulk, double, NULL_ARRAY, type Reply } from '../../reply';
import {
  firstArg,
  keysBeforeTimeout,
  lastArg,
  numkeysKeysAfterTimeout,
  oneKeyBeforeTimeout,
  oneNumkeysKey,
  parseTimeout,
} from '../blocking';
import { isSortedSet, movableKeys, numkeysKeys, zsetForRead, zsetWritten } from './access';
import { type PopEnd, popEntries, zmpopFrom } from './pop';
import { parseZmpop } from './zmpop';

const keysThenTimeout = Object.freeze({ first: 1, last: -2, step: 1 });

const popBlocking: BlockingSpec = {
  waitsFor: 'zset',
  timeoutAt: lastArg,
  keys: keysBeforeTimeout,
  servedFrom: oneKeyBeforeTimeout,
};

/** BZPOPMIN / BZPOPMAX key [key …] timeout: [key, member, score] from the first non-empty sorted set. */
function blockingZpop({ argv, db, now }: CommandContext, end: PopEnd): Reply {
  const timeout = parseTimeout(argv[argv.length - 1]!, now);
  if (typeof timeout !== 'number') return timeout;
  for (let i = 1; i < argv.length - 1; i++) {
    const key = argv[i]!;
    const zs = zsetForRead(db, key, now);
    if (zs === undefined) continue;
    if (!isSortedSet(zs)) return zs;
    const { members, scores } = popEntries(zs, end, 1);
    zsetWritten(db, key, zs);
    return array([bulk(key), bulk(members[0]!), double(scores[0]!)]);
  }
  return NULL_ARRAY;
}

export const bzpopmin: CommandSpec = {
  name: 'bzpopmin',
  arity: -3,
  flags: ['write', 'fast', 'blocking'],
  keys: keysThenTimeout,
  group: 'sorted-set',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary:
    'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
  since: '5.0.0',
  blocking: popBlocking,
  run: (ctx) => blockingZpop(ctx, 'min'),
};

export const bzpopmax: CommandSpec = {
  name: 'bzpopmax',
  arity: -3,
  flags: ['write', 'fast', 'blocking'],
  keys: keysThenTimeout,
  group: 'sorted-set',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary:
    'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.',
  since: '5.0.0',
  blocking: popBlocking,
  run: (ctx) => blockingZpop(ctx, 'max'),
};

export const bzmpop: CommandSpec = {
  name: 'bzmpop',
  arity: -5,
  flags: ['write', 'blocking'],
  keys: movableKeys,
  keysOf: numkeysKeys(2),
  group: 'sorted-set',
  complexity:
    'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary:
    'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
  since: '7.0.0',
  blocking: { waitsFor: 'zset', timeoutAt: firstArg, keys: numkeysKeysAfterTimeout, servedFrom: oneNumkeysKey },
  run(ctx) {
    const args = parseZmpop(ctx.argv, 2);
    if ('t' in args) return args;
    const timeout = parseTimeout(ctx.argv[1]!, ctx.now);
    if (typeof timeout !== 'number') return timeout;
    return zmpopFrom(ctx, args.keys, args.end, args.count);
  },
};
