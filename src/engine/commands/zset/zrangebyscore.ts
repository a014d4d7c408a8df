import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { rangeCommand } from './range-query';

export const zrangebyscore: CommandSpec = {
  name: 'zrangebyscore',
  arity: -4,
  flags: ['readonly'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
  summary: 'Returns members in a sorted set within a range of scores.',
  since: '1.0.5',
  run: (ctx) => rangeCommand(ctx, { sourceIndex: 1, store: false, type: 'score', reverse: false }),
};
