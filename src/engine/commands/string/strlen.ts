import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { int } from '../../reply';
import { lookupRead } from '../keys/lookup';

export const strlen: CommandSpec = {
  name: 'strlen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Get the length of the value stored in a key',
  since: '2.2.0',
  run(ctx) {
    const v = lookupRead(ctx, ctx.argv[1]!);
    if (v === undefined) return int(0);
    return v.type === 'string' ? int(v.v.length) : WRONGTYPE;
  },
};
