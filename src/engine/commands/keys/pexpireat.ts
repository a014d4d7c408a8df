import type { CommandSpec } from '../../command';
import { expireGeneric } from './expire';

export const pexpireat: CommandSpec = {
  name: 'pexpireat',
  arity: -3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
  since: '2.6.0',
  run: (ctx) => expireGeneric(ctx, 'pexpireat', false, false),
};
