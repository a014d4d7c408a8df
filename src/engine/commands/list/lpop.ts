import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { popCommand } from './pop';

export const lpop: CommandSpec = {
  name: 'lpop',
  arity: -2,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'list',
  complexity: 'O(N) where N is the number of elements returned',
  summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
  since: '1.0.0',
  run: (ctx) => popCommand(ctx, 'left'),
};
