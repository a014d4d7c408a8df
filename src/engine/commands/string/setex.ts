import type { CommandSpec } from '../../command';
import { setGeneric } from './set';

/** SETEX key seconds value: SET with the expire as an EX option. */
export const setex: CommandSpec = {
  name: 'setex',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Set the value and expiration of a key',
  since: '2.0.0',
  run: (ctx) =>
    setGeneric(
      ctx,
      ctx.argv[1]!,
      ctx.argv[3]!,
      { nx: false, xx: false, get: false, keepTtl: false, persist: false, expireUnit: 'EX', expireArg: ctx.argv[2]! },
      'setex',
    ),
};
