/** The arguments HSCAN and SSCAN share (cursor, MATCH, COUNT), parsed as Redis parses them. */
import { NOT_INTEGER, SYNTAX } from '../errors';
import { parseSafeInt } from '../numbers';
import { array, bulkStr, EMPTY_ARRAY, type Reply } from '../reply';

const ULONG_MAX = (1n << 64n) - 1n;
const CURSOR_RE = /^([+-]?)(\d*)$/;

/**
 * A SCAN cursor parsed like Redis (strtoul in base 10): optional sign, digits, nothing else; "" is 0 and a
 * negative value wraps modulo 2^64; no leading space, no overflow.
 */
export function parseScanCursor(b: Buffer): bigint | undefined {
  const m = CURSOR_RE.exec(b.toString('latin1'));
  if (!m) return undefined;
  const [, sign = '', digits = ''] = m;
  if (digits === '') return sign === '' ? 0n : undefined;
  const v = BigInt(digits);
  if (v > ULONG_MAX) return undefined;
  return sign === '-' && v !== 0n ? ULONG_MAX + 1n - v : v;
}

/** The reply of a scan of a missing key: cursor 0, nothing. */
export const EMPTY_SCAN = array([bulkStr('0'), EMPTY_ARRAY]);

/** COUNT (default 10) and MATCH (undefined for none or '*') from argv[3…], or Redis's error. */
export function parseScanOptions(argv: readonly Buffer[]): { count: number; pattern: Buffer | undefined } | Reply {
  let count = 10;
  let pattern: Buffer | undefined;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i]!.toString('latin1').toLowerCase();
    if (i + 1 >= argv.length) return SYNTAX;
    if (opt === 'count') {
      const n = parseSafeInt(argv[i + 1]!);
      if (n === undefined) return NOT_INTEGER;
      if (n < 1) return SYNTAX;
      count = n;
    } else if (opt === 'match') {
      const p = argv[i + 1]!;
      pattern = p.length === 1 && p[0] === 0x2a ? undefined : p;
    } else {
      return SYNTAX;
    }
  }
  return { count, pattern };
}
