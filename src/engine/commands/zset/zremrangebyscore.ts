import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { removeRangeCommand } from './remove-range';

export const zremrangebyscore: CommandSpec = {
  name: 'zremrangebyscore',
  arity: 4,
  flags: ['write'],
  keys: oneKey,
  group: 'sorted-set',
  complexity:
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
  summary:
    'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.',
  since: '1.2.0',
  run: (ctx) => removeRangeCommand(ctx, 'score'),
};
