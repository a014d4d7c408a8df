import type { CommandSpec } from '../../command';
import { setGeneric } from './set';

/** PSETEX key milliseconds value: SET with the expire as a PX option. */
export const psetex: CommandSpec = {
  name: 'psetex',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Set the value and expiration in milliseconds of a key',
  since: '2.6.0',
  run: (ctx) =>
    setGeneric(
      ctx,
      ctx.argv[1]!,
      ctx.argv[3]!,
      { nx: false, xx: false, get: false, keepTtl: false, persist: false, expireUnit: 'PX', expireArg: ctx.argv[2]! },
      'psetex',
    ),
};
