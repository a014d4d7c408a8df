import type { CommandSpec } from '../../command';
import { setGeneric } from './set';

/** SET key value GET: answers the old value (or nil) and clears the TTL. */
export const getset: CommandSpec = {
  name: 'getset',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Set the string value of a key and return its old value',
  since: '1.0.0',
  run: (ctx) =>
    setGeneric(
      ctx,
      ctx.argv[1]!,
      ctx.argv[2]!,
      { nx: false, xx: false, get: true, keepTtl: false, persist: false },
      'getset',
    ),
};
