import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { lookupRead } from './lookup';

export const exists: CommandSpec = {
  name: 'exists',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  group: 'generic',
  complexity: 'O(N) where N is the number of keys to check.',
  summary: 'Determine if a key exists',
  since: '1.0.0',
  run(ctx) {
    // a key named twice counts twice, like Redis
    let n = 0;
    for (let i = 1; i < ctx.argv.length; i++) if (lookupRead(ctx, ctx.argv[i]!) !== undefined) n++;
    return int(n);
  },
};
