import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { zaddGeneric } from './zadd';

export const zincrby: CommandSpec = {
  name: 'zincrby',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  summary: 'Increments the score of a member in a sorted set.',
  since: '1.2.0',
  run: (ctx) => zaddGeneric(ctx, { nx: false, xx: false, gt: false, lt: false, ch: false, incr: true }, 2),
};
