import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { bulk, NULL } from '../../reply';
import { lookupRead } from '../keys/lookup';

export const get: CommandSpec = {
  name: 'get',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Get the value of a key',
  since: '1.0.0',
  run(ctx) {
    const v = lookupRead(ctx, ctx.argv[1]!);
    if (v === undefined) return NULL;
    return v.type === 'string' ? bulk(v.v) : WRONGTYPE;
  },
};
