/**
 * Argument parsing shared by commands: each returns the parsed value or the exact Redis error reply.
 * `isReply` tells them apart.
 */
import { NOT_FLOAT, NOT_INTEGER } from '../errors';
import { parseDouble, parseSafeInt } from '../numbers';
import type { Reply } from '../reply';

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 't' in x && !Buffer.isBuffer(x);
}

/** An integer argument (int64 range), or ERR value is not an integer or out of range. */
export function intArg(b: Buffer): number | Reply {
  const v = parseSafeInt(b);
  return v === undefined ? NOT_INTEGER : v;
}

/** A double argument, or ERR value is not a valid float. */
export function floatArg(b: Buffer, err: Reply = NOT_FLOAT): number | Reply {
  const v = parseDouble(b);
  return v === undefined ? err : v;
}

/** Case-insensitive comparison of an argument with an upper-case option name. */
export function isOpt(b: Buffer | undefined, upper: string): boolean {
  if (!b || b.length !== upper.length) return false;
  for (let i = 0; i < upper.length; i++) {
    let c = b[i]!;
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/** Upper-cased option text (for switch statements over options). */
export function optName(b: Buffer): string {
  return b.toString('latin1').toUpperCase();
}
