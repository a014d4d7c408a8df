import type { CommandSpec } from '../../command';
import { NOT_INTEGER, NOT_INTEGER_HASH, OVERFLOW } from '../../errors';
import { isInt64, parseInt64 } from '../../numbers';
import { int64 } from '../../reply';
import { fieldKey, hashForWrite, hashWritten, oneKey } from './access';

/** 64-bit exact: values and increments are BigInts. */
export const hincrby: CommandSpec = {
  name: 'hincrby',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary:
    'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field does not exist.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const incr = parseInt64(argv[3]!);
    if (incr === undefined) return NOT_INTEGER;
    const fields = hashForWrite(db, argv[1]!, now);
    if (!(fields instanceof Map)) return fields;
    const f = fieldKey(argv[2]!);
    const old = fields.get(f);
    const current = old === undefined ? 0n : parseInt64(old);
    if (current === undefined) return NOT_INTEGER_HASH;
    const next = current + incr;
    if (!isInt64(next)) return OVERFLOW;
    const text = next.toString();
    fields.set(f, Buffer.from(text, 'latin1'));
    hashWritten(db, argv[1]!, fields);
    return int64(next);
  },
};
