import type { CommandSpec } from '../../command';
import { oneKey } from './access';
import { pushCommand } from './push';

export const rpush: CommandSpec = {
  name: 'rpush',
  arity: -3,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'list',
  complexity:
    'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
  since: '1.0.0',
  run: (ctx) => pushCommand(ctx, 'right', true),
};
