import type { CommandSpec } from '../../command';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from '../../errors';
import { globMatch } from '../../glob';
import { parseSafeInt } from '../../numbers';
import { array, bulk, bulkStr, EMPTY_ARRAY, type Reply } from '../../reply';
import { parseScanCursor } from '../hash/hscan';
import { isMembers, memberBytes, oneKey, orderedMembers, setEncoding, setForRead } from './access';

const EMPTY_SCAN = array([bulkStr('0'), EMPTY_ARRAY]);

/**
 * An intset is returned whole (ascending) with cursor 0, as Redis does whatever the cursor. A hashtable set is
 * walked in insertion order with the cursor as the position, COUNT members per call (filtered by MATCH
 * afterwards, so a reply may hold fewer). Unlike Redis's reverse-binary dict cursor this position can skip
 * members when others are deleted between calls; members are never returned twice.
 */
export const sscan: CommandSpec = {
  name: 'sscan',
  arity: -3,
  flags: ['readonly'],
  keys: oneKey,
  group: 'set',
  complexity:
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  summary: 'Incrementally iterate Set elements',
  since: '2.8.0',
  run({ argv, db, now }) {
    const cursor = parseScanCursor(argv[2]!);
    if (cursor === undefined) return INVALID_CURSOR;
    const s = setForRead(db, argv[1]!, now);
    if (s === undefined) return EMPTY_SCAN;
    if (!isMembers(s)) return s;
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
    const emit = (m: string): void => {
      const mb = memberBytes(m);
      if (pattern && !globMatch(pattern, mb)) return;
      out.push(bulk(mb));
    };
    let next = 0n;
    if (setEncoding(s) === 'intset') {
      for (const m of orderedMembers(s)) emit(m);
    } else {
      const end = cursor + BigInt(count);
      let pos = 0n;
      for (const m of s) {
        if (pos >= end) break;
        if (pos >= cursor) emit(m);
        pos++;
      }
      next = end < BigInt(s.size) ? end : 0n;
    }
    return array([bulkStr(next.toString()), array(out)]);
  },
};
