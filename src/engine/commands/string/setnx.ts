import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { setGeneric } from './set';

export const setnx: CommandSpec = {
  name: 'setnx',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Set the value of a key, only if the key does not exist',
  since: '1.0.0',
  run: (ctx) =>
    setGeneric(
      ctx,
      ctx.argv[1]!,
      ctx.argv[2]!,
      { nx: true, xx: false, get: false, keepTtl: false, persist: false },
      'setnx',
      int(1),
      int(0),
    ),
};
