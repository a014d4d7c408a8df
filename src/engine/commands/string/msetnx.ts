import type { CommandSpec } from '../../command';
import { msetGeneric } from './mset';

export const msetnx: CommandSpec = {
  name: 'msetnx',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: -1, step: 2 },
  group: 'string',
  complexity: 'O(N) where N is the number of keys to set.',
  summary: 'Set multiple keys to multiple values, only if none of the keys exist',
  since: '1.0.1',
  run: (ctx) => msetGeneric(ctx, true),
};
