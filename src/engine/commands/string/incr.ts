import type { CommandContext, CommandSpec } from '../../command';
import { NOT_INTEGER, OVERFLOW, WRONGTYPE } from '../../errors';
import { isInt64, parseInt64, parseSmallInt } from '../../numbers';
import { int, int64, type Reply } from '../../reply';
import { keyOf } from '../../values';
import { newString } from './value';

/** |values| below this stay exact in a double whatever int64 delta is added (2^53 - 2^50 ≥ 10^15 + 10^15). */
const SMALL = 1e15;

/**
 * INCR, INCRBY, DECR and DECRBY (Redis's incrDecrCommand): the value must be a base-10 int64 (a missing key counts
 * as 0), the result must stay within int64 (exact: BigInt), and the TTL is kept. Values and deltas of at most 15
 * digits are added as numbers (exact there); anything larger goes through BigInt.
 */
export function incrDecr(ctx: CommandContext, delta: bigint | number): Reply {
  const { db, argv, now } = ctx;
  const key = keyOf(argv[1]!);
  const v = db.lookup(key, now);
  let current: bigint | number = 0;
  if (v !== undefined) {
    if (v.type !== 'string') return WRONGTYPE;
    const n = v.v.length <= 15 ? parseSmallInt(v.v) : parseInt64(v.v);
    if (n === undefined) return NOT_INTEGER;
    current = n;
  }
  if (typeof current === 'number' && typeof delta === 'number' && Math.abs(delta) < SMALL) {
    const next = current + delta;
    db.set(key, newString(smallIntBytes(next)), true);
    return int(next);
  }
  const next = BigInt(current) + BigInt(delta);
  if (!isInt64(next)) return OVERFLOW;
  db.set(key, newString(Buffer.from(next.toString(), 'latin1')), true);
  return int64(next);
}

/** The decimal digits of a safe integer, without going through a string. */
function smallIntBytes(n: number): Buffer {
  let digits = n < 0 ? 2 : 1;
  for (let t = Math.abs(n); t >= 10; t = Math.floor(t / 10)) digits++;
  const out = Buffer.allocUnsafe(digits);
  let t = Math.abs(n);
  for (let p = digits - 1; ; p--) {
    out[p] = 0x30 + (t % 10);
    t = Math.floor(t / 10);
    if (t === 0) break;
  }
  if (n < 0) out[0] = 0x2d;
  return out;
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
  run: (ctx) => incrDecr(ctx, 1),
};
