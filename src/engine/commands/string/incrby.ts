import type { CommandSpec } from '../../command';
import { NOT_INTEGER } from '../../errors';
import { parseInt64, parseSmallInt } from '../../numbers';
import { incrDecr } from './incr';

export const incrby: CommandSpec = {
  name: 'incrby',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Increment the integer value of a key by the given amount',
  since: '1.0.0',
  run(ctx) {
    const arg = ctx.argv[2]!;
    const delta = arg.length <= 15 ? parseSmallInt(arg) : parseInt64(arg);
    return delta === undefined ? NOT_INTEGER : incrDecr(ctx, delta);
  },
};
