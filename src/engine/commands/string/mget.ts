import type { CommandSpec } from '../../command';
import { array, bulk, NULL, type Reply } from '../../reply';
import { lookupRead } from '../keys/lookup';

export const mget: CommandSpec = {
  name: 'mget',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  group: 'string',
  complexity: 'O(N) where N is the number of keys to retrieve.',
  summary: 'Get the values of all the given keys',
  since: '1.0.0',
  run(ctx) {
    const out: Reply[] = [];
    for (let i = 1; i < ctx.argv.length; i++) {
      const v = lookupRead(ctx, ctx.argv[i]!);
      // keys holding other types answer nil, not WRONGTYPE
      out.push(v?.type === 'string' ? bulk(v.v) : NULL);
    }
    return array(out);
  },
};
