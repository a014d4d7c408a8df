import type { CommandSpec } from '../../command';
import { expiretimeGeneric } from './expiretime';

export const pexpiretime: CommandSpec = {
  name: 'pexpiretime',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Get the expiration Unix timestamp for a key in milliseconds',
  since: '7.0.0',
  run: (ctx) => expiretimeGeneric(ctx, true),
};
