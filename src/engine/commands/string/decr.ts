import type { CommandSpec } from '../../command';
import { incrDecr } from './incr';

export const decr: CommandSpec = {
  name: 'decr',
  arity: 2,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Decrement the integer value of a key by one',
  since: '1.0.0',
  run: (ctx) => incrDecr(ctx, -1),
};
