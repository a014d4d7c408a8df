import type { CommandSpec } from '../../command';
import { ttlGeneric } from './ttl';

export const pttl: CommandSpec = {
  name: 'pttl',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Get the time to live for a key in milliseconds',
  since: '2.6.0',
  run: (ctx) => ttlGeneric(ctx, true),
};
