import type { CommandSpec } from '../../command';
import { OFFSET_OUT_OF_RANGE, STRING_TOO_LONG, WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int } from '../../reply';
import { intArg, isReply } from '../arguments';
import { MAX_STRING_LENGTH, newString } from './value';

export const setrange: CommandSpec = {
  name: 'setrange',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity:
    'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
  summary: 'Overwrite part of a string at key starting at the specified offset',
  since: '2.2.0',
  run({ db, argv, now }) {
    const offset = intArg(argv[2]!);
    if (isReply(offset)) return offset;
    if (offset < 0) return OFFSET_OUT_OF_RANGE;
    const key = keyOf(argv[1]!);
    const patch = argv[3]!;
    const v = db.lookup(key, now);
    if (v !== undefined && v.type !== 'string') return WRONGTYPE;
    const old = v?.v;
    // writing nothing changes nothing (and creates no key), whatever the offset
    if (patch.length === 0) return int(old?.length ?? 0);
    if (offset + patch.length > MAX_STRING_LENGTH) return STRING_TOO_LONG;
    // a new buffer, never the old one changed in place: earlier replies may still hold views of it
    const out = Buffer.alloc(Math.max(old?.length ?? 0, offset + patch.length));
    old?.copy(out, 0);
    patch.copy(out, offset);
    db.set(key, newString(out, 'raw'), true);
    return int(out.length);
  },
};
