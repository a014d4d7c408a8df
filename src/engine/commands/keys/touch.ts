import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { lookupRead } from './lookup';

export const touch: CommandSpec = {
  name: 'touch',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  group: 'generic',
  complexity: 'O(N) where N is the number of keys that will be touched.',
  summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
  since: '3.2.1',
  run(ctx) {
    // no access clock is kept (OBJECT IDLETIME answers 0), so touching is a lookup that expires stale keys
    let n = 0;
    for (let i = 1; i < ctx.argv.length; i++) if (lookupRead(ctx, ctx.argv[i]!) !== undefined) n++;
    return int(n);
  },
};
