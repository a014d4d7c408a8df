import { Buffer } from 'node:buffer';
import type { CommandContext, CommandSpec } from '../../command';
import { NOT_INTEGER, OVERFLOW, WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { isInt64, parseInt64, parseSmallInt } from '../../numbers';
import { int, int64, type Reply } from '../../reply';
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

/** scratch space for smallIntBytes: a sign and 16 digits */
const DIGITS = new Uint8Array(20);

/** The decimal digits of a safe integer, without going through a string. */
function smallIntBytes(n: number): Buffer {
  const neg = n < 0;
  let t = neg ? -n : n;
  let p = DIGITS.length;
  if (t < 0x80000000) {
    // small integer arithmetic while it fits in 31 bits
    do {
      const q = (t / 10) | 0;
      DIGITS[--p] = 0x30 + t - q * 10;
      t = q;
    } while (t !== 0);
  } else {
    do {
      const q = Math.floor(t / 10);
      DIGITS[--p] = 0x30 + t - q * 10;
      t = q;
    } while (t !== 0);
  }
  if (neg) DIGITS[--p] = 0x2d;
  const len = DIGITS.length - p;
  const out = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) out[i] = DIGITS[p + i]!;
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
