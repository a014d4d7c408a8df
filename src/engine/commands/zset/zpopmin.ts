import type { CommandSpec } from '../../command';
import { SYNTAX, VALUE_OUT_OF_RANGE_POSITIVE } from '../../errors';
import { oneKey } from './access';
import { zpopCommand } from './pop';
import { longArg } from './range-parsing';

export const zpopmin: CommandSpec = {
  name: 'zpopmin',
  arity: -2,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary:
    'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
  since: '5.0.0',
  run(ctx) {
    if (ctx.argv.length > 3) return SYNTAX;
    let count: number | undefined;
    if (ctx.argv.length === 3) {
      count = longArg(ctx.argv[2]!);
      // Redis answers the same for a non-integer and a negative count here
      if (count === undefined || count < 0) return VALUE_OUT_OF_RANGE_POSITIVE;
    }
    return zpopCommand(ctx, 'min', count);
  },
};
