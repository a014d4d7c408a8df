/**
 * BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP: the non-blocking attempt (what a client gets inside MULTI, or at once when a
 * list has entries). When every list is empty the reply is the "nothing" one and a RESP connection waits (see
 * BlockingSpec and src/server/blocking.ts).
 */
import type { BlockingSpec, CommandContext, CommandSpec } from '../../command';
import { SYNTAX } from '../../errors';
import { array, bulk, NULL, NULL_ARRAY, type Reply } from '../../reply';
import { isReply } from '../arguments';
import {
  firstArg,
  keysBeforeTimeout,
  lastArg,
  numkeysKeysAfterTimeout,
  oneKeyBeforeTimeout,
  oneNumkeysKey,
  parseTimeout,
} from '../blocking';
import { movableKeys, numkeysKeys } from '../zset/access';
import { isList, listAt, listWritten, moveBetween, popFrom, type Side, sideArg, twoKeys } from './access';
import { lmpopFrom, parseLmpop } from './lmpop';

const keysThenTimeout = Object.freeze({ first: 1, last: -2, step: 1 });

const popBlocking: BlockingSpec = {
  waitsFor: 'list',
  timeoutAt: lastArg,
  keys: keysBeforeTimeout,
  servedFrom: oneKeyBeforeTimeout,
};

/** BLPOP / BRPOP key [key …] timeout: [key, entry] from the first non-empty list. */
function blockingPop({ argv, db, now }: CommandContext, side: Side): Reply {
  const timeout = parseTimeout(argv[argv.length - 1]!, now);
  if (typeof timeout !== 'number') return timeout;
  for (let i = 1; i < argv.length - 1; i++) {
    const key = argv[i]!;
    const list = listAt(db, key, now);
    if (list === undefined) continue;
    if (!isList(list)) return list;
    const [v] = popFrom(list, side, 1);
    listWritten(db, key, list);
    return array([bulk(key), bulk(v!)]);
  }
  return NULL_ARRAY;
}

export const blpop: CommandSpec = {
  name: 'blpop',
  arity: -3,
  flags: ['write', 'blocking'],
  keys: keysThenTimeout,
  group: 'list',
  complexity: 'O(N) where N is the number of provided keys.',
  summary:
    'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  since: '2.0.0',
  blocking: popBlocking,
  run: (ctx) => blockingPop(ctx, 'left'),
};

export const brpop: CommandSpec = {
  name: 'brpop',
  arity: -3,
  flags: ['write', 'blocking'],
  keys: keysThenTimeout,
  group: 'list',
  complexity: 'O(N) where N is the number of provided keys.',
  summary:
    'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  since: '2.0.0',
  blocking: popBlocking,
  run: (ctx) => blockingPop(ctx, 'right'),
};

/** BLMOVE / BRPOPLPUSH: the entry moved, or nil while the source is missing. */
function blockingMove({ argv, db, now }: CommandContext, from: Side, to: Side, timeoutArg: Buffer): Reply {
  const timeout = parseTimeout(timeoutArg, now);
  if (typeof timeout !== 'number') return timeout;
  const v = moveBetween(db, argv[1]!, argv[2]!, from, to, now);
  if (v === undefined) return NULL;
  return isReply(v) ? v : bulk(v);
}

const moveBlocking: BlockingSpec = {
  waitsFor: 'list',
  timeoutAt: lastArg,
  keys: (argv) => [argv[1]!],
  servedFrom: (argv) => argv,
};

export const blmove: CommandSpec = {
  name: 'blmove',
  arity: 6,
  flags: ['write', 'denyoom', 'blocking'],
  keys: twoKeys,
  group: 'list',
  complexity: 'O(1)',
  summary:
    'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
  since: '6.2.0',
  blocking: moveBlocking,
  run(ctx) {
    const from = sideArg(ctx.argv[3]!);
    if (from === undefined) return SYNTAX;
    const to = sideArg(ctx.argv[4]!);
    if (to === undefined) return SYNTAX;
    return blockingMove(ctx, from, to, ctx.argv[5]!);
  },
};

export const brpoplpush: CommandSpec = {
  name: 'brpoplpush',
  arity: 4,
  flags: ['write', 'denyoom', 'blocking'],
  keys: twoKeys,
  group: 'list',
  complexity: 'O(1)',
  summary:
    'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
  since: '2.2.0',
  blocking: moveBlocking,
  run: (ctx) => blockingMove(ctx, 'right', 'left', ctx.argv[3]!),
};

export const blmpop: CommandSpec = {
  name: 'blmpop',
  arity: -5,
  flags: ['write', 'blocking'],
  keys: movableKeys,
  keysOf: numkeysKeys(2),
  group: 'list',
  complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  summary:
    'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  since: '7.0.0',
  blocking: { waitsFor: 'list', timeoutAt: firstArg, keys: numkeysKeysAfterTimeout, servedFrom: oneNumkeysKey },
  run({ argv, db, now }) {
    // numkeys, LEFT|RIGHT and COUNT are checked before the timeout, as in Redis
    const args = parseLmpop(argv, 2);
    if ('t' in args) return args;
    const timeout = parseTimeout(argv[1]!, now);
    if (typeof timeout !== 'number') return timeout;
    return lmpopFrom(db, args, now);
  },
};
