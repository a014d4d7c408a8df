import type { CommandContext, CommandSpec } from '../../command';
import { keyOf } from '../../keyspace';
import { int, type Reply } from '../../reply';
import { lookupRead } from './lookup';

/** TTL and PTTL: -2 when the key is absent, -1 without a deadline, else the time left (seconds round half up). */
export function ttlGeneric(ctx: CommandContext, ms: boolean): Reply {
  const key = ctx.argv[1]!;
  if (lookupRead(ctx, key) === undefined) return int(-2);
  const at = ctx.db.getExpire(keyOf(key));
  if (at === undefined) return int(-1);
  const left = Math.max(0, at - ctx.now);
  return int(ms ? left : Math.floor((left + 500) / 1000));
}

export const ttl: CommandSpec = {
  name: 'ttl',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Get the time to live for a key in seconds',
  since: '1.0.0',
  run: (ctx) => ttlGeneric(ctx, false),
};
