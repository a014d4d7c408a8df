import type { CommandSpec } from '../../command';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from '../../errors';
import { globMatch } from '../../glob';
import { parseSafeInt } from '../../numbers';
import { array, bulk, bulkStr, EMPTY_ARRAY, type Reply } from '../../reply';
import { fieldBytes, hashForRead, isFields, isSmallHash, oneKey } from './access';

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

const EMPTY_SCAN = array([bulkStr('0'), EMPTY_ARRAY]);

/**
 * Small hashes (what Redis keeps as a listpack) are returned whole with cursor 0, as Redis does whatever the
 * cursor. Larger ones are walked in insertion order with the cursor as the position, COUNT fields per call
 * (filtered by MATCH afterwards, so a reply may hold fewer). Unlike Redis's reverse-binary dict cursor this
 * position can skip fields when others are deleted between calls; fields are never returned twice.
 */
export const hscan: CommandSpec = {
  name: 'hscan',
  arity: -3,
  flags: ['readonly'],
  keys: oneKey,
  group: 'hash',
  complexity:
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  summary: 'Iterates over fields and values of a hash.',
  since: '2.8.0',
  run({ argv, db, now }) {
    const cursor = parseScanCursor(argv[2]!);
    if (cursor === undefined) return INVALID_CURSOR;
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return EMPTY_SCAN;
    if (!isFields(fields)) return fields;
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
    const out: Reply[] = [];
    const emit = (f: string, v: Buffer): void => {
      const fb = fieldBytes(f);
      if (pattern && !globMatch(pattern, fb)) return;
      out.push(bulk(fb), bulk(v));
    };
    let next = 0n;
    if (isSmallHash(fields)) {
      for (const [f, v] of fields) emit(f, v);
    } else {
      const start = cursor;
      const end = start + BigInt(count);
      let pos = 0n;
      for (const [f, v] of fields) {
        if (pos >= end) break;
        if (pos >= start) emit(f, v);
        pos++;
      }
      next = end < BigInt(fields.size) ? end : 0n;
    }
    return array([bulkStr(next.toString()), array(out)]);
  },
};
