import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { bulk, NULL } from '../../reply';
import { isReply } from '../arguments';
import { lookupRead } from '../keys/lookup';
import { expireDeadline, parseStringOptions } from './set-options';

export const getex: CommandSpec = {
  name: 'getex',
  arity: -2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Get the value of a key and optionally set its expiration',
  since: '6.2.0',
  run(ctx) {
    const o = parseStringOptions(ctx.argv, 2, false);
    if (isReply(o)) return o;
    const v = lookupRead(ctx, ctx.argv[1]!);
    // like Redis, the expire value is only checked once the key is known to hold a string
    if (v === undefined) return NULL;
    if (v.type !== 'string') return WRONGTYPE;
    const key = keyOf(ctx.argv[1]!);
    if (o.expireUnit !== undefined) {
      const at = expireDeadline(o.expireArg!, o.expireUnit, ctx.now, 'getex');
      if (isReply(at)) return at;
      // an EXAT/PXAT already past deletes the key, after answering its value
      ctx.db.setExpire(key, at, ctx.now);
    } else if (o.persist) {
      ctx.db.persist(key);
    }
    return bulk(v.v);
  },
};
