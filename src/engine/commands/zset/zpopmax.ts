import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { zpopFromArgs } from './pop';

export const zpopmax: CommandSpec = {
  name: 'zpopmax',
  arity: -2,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary:
    'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
  since: '5.0.0',
  run: (ctx) => zpopFromArgs(ctx, 'max'),
};
