/**
 * What the blocking commands share: the timeout argument (Redis's getTimeoutFromObjectOrReply with UNIT_SECONDS) and
 * the non-blocking attempt's "nothing yet" replies. The waiting itself is the RESP connection's (src/server/blocking.ts).
 */
import { TIMEOUT_NOT_FLOAT } from '../errors';
import { parseDouble } from '../numbers';
import { error, type Reply } from '../reply';

const TIMEOUT_NEGATIVE = error('ERR timeout is negative');
const TIMEOUT_OUT_OF_RANGE = error('ERR timeout is out of range');
/** LLONG_MAX, as a double */
const LLONG_MAX = 2 ** 63;

/** The timeout in ms (0: forever), or Redis's error for it. */
export function parseTimeout(b: Buffer, now: number): number | Reply {
  const seconds = parseDouble(b);
  if (seconds === undefined) return TIMEOUT_NOT_FLOAT;
  const ms = seconds * 1000;
  // C's conversion of an out-of-range double to long long gives LLONG_MIN: Redis then calls it negative
  const t = Number.isFinite(ms) && Math.abs(ms) < LLONG_MAX ? Math.ceil(ms) : -1;
  if (t < 0) return TIMEOUT_NEGATIVE;
  if (t > 0 && t > LLONG_MAX - now) return TIMEOUT_OUT_OF_RANGE;
  return t;
}

/** The timeout is the last argument (BLPOP, BRPOP, BZPOPMIN, BZPOPMAX, BLMOVE, BRPOPLPUSH). */
export const lastArg = (argv: Buffer[]): number => argv.length - 1;
/** The timeout is the first argument (BLMPOP, BZMPOP). */
export const firstArg = (): number => 1;

/** BLPOP k1 k2 … timeout: the keys between the name and the timeout. */
export const keysBeforeTimeout = (argv: Buffer[]): Buffer[] => argv.slice(1, -1);

/** BLPOP k1 k2 … timeout served from `key`: BLPOP key timeout. */
export const oneKeyBeforeTimeout = (argv: Buffer[], key: Buffer): Buffer[] => [argv[0]!, key, argv[argv.length - 1]!];

/** BLMPOP timeout numkeys k1 … rest: the keys. */
export function numkeysKeysAfterTimeout(argv: Buffer[]): Buffer[] {
  const n = Number(argv[2]!.toString('latin1'));
  return argv.slice(3, 3 + n);
}

/** BLMPOP timeout numkeys k1 … rest served from `key`: BLMPOP timeout 1 key rest. */
export function oneNumkeysKey(argv: Buffer[], key: Buffer): Buffer[] {
  const n = Number(argv[2]!.toString('latin1'));
  return [argv[0]!, argv[1]!, Buffer.from('1'), key, ...argv.slice(3 + n)];
}
