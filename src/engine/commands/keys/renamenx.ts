import type { CommandSpec } from '../../command';
import { renameGeneric } from './rename';

export const renamenx: CommandSpec = {
  name: 'renamenx',
  arity: 3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 2, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Rename a key, only if the new key does not exist',
  since: '1.0.0',
  run: (ctx) => renameGeneric(ctx, true),
};
