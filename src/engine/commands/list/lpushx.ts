import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { pushCommand } from './push';

export const lpushx: CommandSpec = {
  name: 'lpushx',
  arity: -3,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  summary: 'Prepends one or more elements to a list only when the list exists.',
  since: '2.2.0',
  run: (ctx) => pushCommand(ctx, 'left', false),
};
