import type { CommandContext, CommandSpec } from '../../command';
import { EXPIRE_GT_LT, EXPIRE_NX_XX_GT_LT, INVALID_EXPIRE, NOT_INTEGER, UNSUPPORTED_OPTION } from '../../errors';
import { keyOf } from '../../keyspace';
import { parseInt64 } from '../../numbers';
import { int, type Reply } from '../../reply';
import { optName } from '../arguments';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis's expireGenericCommand). `relative`: the time is added to now;
 * `seconds`: the time is in seconds. Overflow of the unit conversion or of the addition is an error, as in Redis;
 * a deadline at or before now deletes the key (and still answers 1).
 */
export function expireGeneric(ctx: CommandContext, cmd: string, relative: boolean, seconds: boolean): Reply {
  const { db, argv, now } = ctx;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = optName(argv[i]!);
    if (opt === 'NX') nx = true;
    else if (opt === 'XX') xx = true;
    else if (opt === 'GT') gt = true;
    else if (opt === 'LT') lt = true;
    else return UNSUPPORTED_OPTION(argv[i]!);
  }
  if (nx && (xx || gt || lt)) return EXPIRE_NX_XX_GT_LT;
  if (gt && lt) return EXPIRE_GT_LT;

  let when = parseInt64(argv[2]!);
  if (when === undefined) return NOT_INTEGER;
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return INVALID_EXPIRE(cmd);
    when *= 1000n;
  }
  const base = relative ? BigInt(now) : 0n;
  if (when > INT64_MAX - base) return INVALID_EXPIRE(cmd);
  when += base;

  const key = keyOf(argv[1]!);
  if (!db.has(key, now)) return int(0);
  const deadline = Number(when);
  if (nx || xx || gt || lt) {
    const current = db.getExpire(key);
    if (nx && current !== undefined) return int(0);
    if (xx && current === undefined) return int(0);
    // no TTL counts as an infinite one: GT can never beat it, LT always does
    if (gt && (current === undefined || deadline <= current)) return int(0);
    if (lt && current !== undefined && deadline >= current) return int(0);
  }
  db.setExpire(key, deadline, now);
  return int(1);
}

export const expire: CommandSpec = {
  name: 'expire',
  arity: -3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: "Set a key's time to live in seconds",
  since: '1.0.0',
  run: (ctx) => expireGeneric(ctx, 'expire', true, true),
};
