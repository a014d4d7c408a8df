import type { CommandSpec } from '../../command';
import { getrangeGeneric } from './getrange';

/** The old name of GETRANGE (deprecated since 2.0.0, still answered). */
export const substr: CommandSpec = {
  name: 'substr',
  arity: 4,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity:
    'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
  summary: 'Get a substring of the string stored at a key',
  since: '1.0.0',
  run: getrangeGeneric,
};
