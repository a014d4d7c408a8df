import type { CommandSpec } from '../../command';
import { expireGeneric } from './expire';

export const pexpire: CommandSpec = {
  name: 'pexpire',
  arity: -3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: "Set a key's time to live in milliseconds",
  since: '2.6.0',
  run: (ctx) => expireGeneric(ctx, 'pexpire', true, false),
};
