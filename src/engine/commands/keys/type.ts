import type { CommandSpec } from '../../command';
import { simple } from '../../reply';
import { lookupRead } from './lookup';

const NONE = simple('none');

export const type: CommandSpec = {
  name: 'type',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Determine the type stored at key',
  since: '1.0.0',
  run(ctx) {
    const v = lookupRead(ctx, ctx.argv[1]!);
    return v === undefined ? NONE : simple(v.type);
  },
};
