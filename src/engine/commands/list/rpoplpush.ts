import type { CommandSpec } from '../../command';
import { twoKeys } from './access';
import { moveCommand } from './lmove';

export const rpoplpush: CommandSpec = {
  name: 'rpoplpush',
  arity: 3,
  flags: ['write', 'denyoom'],
  keys: twoKeys,
  group: 'list',
  complexity: 'O(1)',
  summary:
    'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
  since: '1.2.0',
  run: (ctx) => moveCommand(ctx, 'right', 'left'),
};
