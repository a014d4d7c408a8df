import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { rankCommand } from './zrank';

export const zrevrank: CommandSpec = {
  name: 'zrevrank',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N))',
  summary: 'Returns the index of a member in a sorted set ordered by descending scores.',
  since: '2.0.0',
  run: (ctx) => rankCommand(ctx, 'zrevrank', true),
};
