import type { CommandSpec } from '../../command';
import { INVALID_CURSOR } from '../../errors';
import { globMatch } from '../../glob';
import { array, bulk, bulkStr, type Reply } from '../../reply';
import { isReply } from '../arguments';
import { EMPTY_SCAN, parseScanCursor, parseScanOptions } from '../scan-args';
import { isMembers, memberBytes, oneKey, orderedMembers, setEncoding, setForRead } from './access';

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
    const options = parseScanOptions(argv);
    if (isReply(options)) return options;
    const { count, pattern } = options;
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
