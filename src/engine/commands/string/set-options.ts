/**
 * The options of SET and GETEX, parsed exactly like Redis's parseExtendedStringArgumentsOrReply: each option is
 * accepted only when it does not contradict one already given (EX after PX is a syntax error, EX twice is not),
 * and an expire option needs a following argument.
 */
import { INVALID_EXPIRE, NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import type { Reply } from '../../reply';
import { optName } from '../arguments';

export type ExpireUnit = 'EX' | 'PX' | 'EXAT' | 'PXAT';

export interface StringOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  expireUnit?: ExpireUnit;
  expireArg?: Buffer;
}

/** Parses argv[from..]; `forSet` allows NX XX GET KEEPTTL, otherwise (GETEX) PERSIST. */
export function parseStringOptions(argv: Buffer[], from: number, forSet: boolean): StringOptions | Reply {
  const o: StringOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false };
  for (let i = from; i < argv.length; i++) {
    const opt = optName(argv[i]!);
    const hasNext = i + 1 < argv.length;
    const unit = o.expireUnit;
    if (opt === 'NX' && forSet && !o.xx) o.nx = true;
    else if (opt === 'XX' && forSet && !o.nx) o.xx = true;
    else if (opt === 'GET' && forSet) o.get = true;
    else if (opt === 'KEEPTTL' && forSet && unit === undefined) o.keepTtl = true;
    else if (opt === 'PERSIST' && !forSet && unit === undefined) o.persist = true;
    else if (
      (opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') &&
      !o.keepTtl &&
      !o.persist &&
      (unit === undefined || unit === opt) &&
      hasNext
    ) {
      o.expireUnit = opt;
      o.expireArg = argv[++i]!;
    } else return SYNTAX;
  }
  return o;
}

const INT64_MAX = 9223372036854775807n;

/**
 * The absolute deadline in ms for an expire argument (Redis's getExpireMillisecondsOrReply): it must be a positive
 * integer, and neither the conversion to ms nor adding now may overflow int64. `cmd` names the command in errors.
 */
export function expireDeadline(arg: Buffer, unit: ExpireUnit, now: number, cmd: string): number | Reply {
  let v = parseInt64(arg);
  if (v === undefined) return NOT_INTEGER;
  const seconds = unit === 'EX' || unit === 'EXAT';
  if (v <= 0n || (seconds && v > INT64_MAX / 1000n)) return INVALID_EXPIRE(cmd);
  if (seconds) v *= 1000n;
  if (unit === 'EX' || unit === 'PX') v += BigInt(now);
  if (v > INT64_MAX) return INVALID_EXPIRE(cmd);
  return Number(v);
}
