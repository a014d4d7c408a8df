import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { bulk, NULL } from '../../reply';
import { lookupRead } from '../keys/lookup';

export const getdel: CommandSpec = {
  name: 'getdel',
  arity: 2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Get the value of a key and delete the key',
  since: '6.2.0',
  run(ctx) {
    const v = lookupRead(ctx, ctx.argv[1]!);
    if (v === undefined) return NULL;
    if (v.type !== 'string') return WRONGTYPE;
    ctx.db.remove(keyOf(ctx.argv[1]!));
    return bulk(v.v);
  },
};
