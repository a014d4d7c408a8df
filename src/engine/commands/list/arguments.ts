/** Argument parsing of the list commands, with Redis's replies for each failure. */
import { NOT_INTEGER } from '../../errors';
import { parseSafeInt } from '../../numbers';
import type { Reply } from '../../reply';

/** A long (int64; values beyond ±2^53 clamp, which is harmless for indexes and counts), or NOT_INTEGER. */
export function longArg(b: Buffer): number | Reply {
  const v = parseSafeInt(b);
  return v === undefined ? NOT_INTEGER : v;
}

/**
 * Redis's getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply(min..LONG_MAX): `notInt` when the
 * argument is not an integer, `tooSmall` when it is below `min`.
 */
export function positiveCount(b: Buffer, notInt: Reply, tooSmall: Reply, min = 0): number | Reply {
  const v = parseSafeInt(b);
  if (v === undefined) return notInt;
  if (v < min) return tooSmall;
  return v;
}

/** Redis's reading of a start/stop pair against a list of `len` entries: [from, to) after clamping. */
export function resolveRange(start: number, stop: number, len: number): [number, number] {
  let s = start < 0 ? len + start : start;
  let e = stop < 0 ? len + stop : stop;
  if (s < 0) s = 0;
  if (s > e || s >= len) return [0, 0];
  if (e >= len) e = len - 1;
  return [s, e + 1];
}
