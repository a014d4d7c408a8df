import type { CommandSpec } from '../../command';
import { expireGeneric } from './expire';

export const expireat: CommandSpec = {
  name: 'expireat',
  arity: -3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Set the expiration for a key as a UNIX timestamp',
  since: '1.2.0',
  run: (ctx) => expireGeneric(ctx, 'expireat', false, true),
};
