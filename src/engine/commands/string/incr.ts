import type { CommandContext, CommandSpec } from '../../command';
import { NOT_INTEGER, OVERFLOW, WRONGTYPE } from '../../errors';
import { isInt64, parseInt64 } from '../../numbers';
import { int64, type Reply } from '../../reply';
import { keyOf } from '../../values';
import { newString } from './value';

/**
 * INCR, INCRBY, DECR and DECRBY (Redis's incrDecrCommand): the value must be a base-10 int64 (a missing key counts
 * as 0), the result must stay within int64 (exact: BigInt), and the TTL is kept.
 */
export function incrDecr(ctx: CommandContext, delta: bigint): Reply {
  const { db, argv, now } = ctx;
  const key = keyOf(argv[1]!);
  const v = db.lookup(key, now);
  let current = 0n;
  if (v !== undefined) {
    if (v.type !== 'string') return WRONGTYPE;
    const n = parseInt64(v.v);
    if (n === undefined) return NOT_INTEGER;
    current = n;
  }
  const next = current + delta;
  if (!isInt64(next)) return OVERFLOW;
  db.set(key, newString(Buffer.from(next.toString(), 'latin1')), true);
  return int64(next);
}

export const incr: CommandSpec = {
  name: 'incr',
  arity: 2,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Increment the integer value of a key by one',
  since: '1.0.0',
  run: (ctx) => incrDecr(ctx, 1n),
};
