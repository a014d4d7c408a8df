import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { rangeCommand } from './range-query';

export const zrange: CommandSpec = {
  name: 'zrange',
  arity: -4,
  flags: ['readonly'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
  summary: 'Returns members in a sorted set within a range of indexes, scores or lexicographical order.',
  since: '1.2.0',
  run: (ctx) => rangeCommand(ctx, { sourceIndex: 1, store: false }),
};
