import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { removeRangeCommand } from './remove-range';

export const zremrangebyrank: CommandSpec = {
  name: 'zremrangebyrank',
  arity: 4,
  flags: ['write'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
  summary:
    'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.',
  since: '2.0.0',
  run: (ctx) => removeRangeCommand(ctx, 'rank'),
};
