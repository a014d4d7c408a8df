import type { CommandContext, CommandSpec } from '../../command';
import { keyOf } from '../../keyspace';
import { int, type Reply } from '../../reply';
import { lookupRead } from './lookup';

/** EXPIRETIME and PEXPIRETIME: -2 when the key is absent, -1 without a deadline, else the absolute deadline. */
export function expiretimeGeneric(ctx: CommandContext, ms: boolean): Reply {
  const key = ctx.argv[1]!;
  if (lookupRead(ctx, key) === undefined) return int(-2);
  const at = ctx.db.getExpire(keyOf(key));
  if (at === undefined) return int(-1);
  return int(ms ? at : Math.floor(at / 1000));
}

export const expiretime: CommandSpec = {
  name: 'expiretime',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Get the expiration Unix timestamp for a key',
  since: '7.0.0',
  run: (ctx) => expiretimeGeneric(ctx, false),
};
