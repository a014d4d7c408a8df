import type { CommandSpec } from '../../command';
import { STRING_TOO_LONG, WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int } from '../../reply';
import { appendInPlace, MAX_STRING_LENGTH, newString } from './value';

export const append: CommandSpec = {
  name: 'append',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity:
    'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
  summary: 'Append a value to a key',
  since: '2.0.0',
  run({ db, argv, now }) {
    const key = keyOf(argv[1]!);
    const tail = argv[2]!;
    const v = db.lookup(key, now);
    if (v === undefined) {
      // a new key is stored like SET stores it (so "123" is int-encoded)
      db.set(key, newString(tail));
      return int(tail.length);
    }
    if (v.type !== 'string') return WRONGTYPE;
    if (v.v.length + tail.length > MAX_STRING_LENGTH) return STRING_TOO_LONG;
    appendInPlace(v, tail);
    db.modified(key);
    return int(v.v.length);
  },
};
