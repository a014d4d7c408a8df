import type { CommandSpec } from '../../command';
import { INVALID_CURSOR } from '../../errors';
import { globMatch } from '../../glob';
import { array, bulk, bulkStr, type Reply } from '../../reply';
import { isReply } from '../arguments';
import { EMPTY_SCAN, parseScanCursor, parseScanOptions } from '../scan-args';
import { fieldBytes, hashForRead, isFields, isSmallHash, oneKey } from './access';

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
    const options = parseScanOptions(argv);
    if (isReply(options)) return options;
    const { count, pattern } = options;
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
