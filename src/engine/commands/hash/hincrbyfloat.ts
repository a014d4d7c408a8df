import type { CommandSpec } from '../../command';
import { HINCRBYFLOAT_NAN_OR_INF, INCR_NAN, NOT_FLOAT, NOT_FLOAT_HASH } from '../../errors';
import { addLongDouble, formatLongDoubleHuman, LD_ZERO, parseLongDouble } from '../../long-double';
import { bulk } from '../../reply';
import { fieldKey, hashForWrite, hashWritten, oneKey } from './access';

/**
 * Computes in emulated long double like Redis (see long-double.ts), so replies and stored values match Redis
 * byte for byte (0.1 + 0.2 → "0.3").
 */
export const hincrbyfloat: CommandSpec = {
  name: 'hincrbyfloat',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary:
    'Increments the floating point value of a field by a number. Uses 0 as initial value if the field does not exist.',
  since: '2.6.0',
  run({ argv, db, now }) {
    const incr = parseLongDouble(argv[3]!);
    if (incr === undefined) return NOT_FLOAT;
    if (incr === 'inf' || incr === '-inf') return HINCRBYFLOAT_NAN_OR_INF;
    const fields = hashForWrite(db, argv[1]!, now);
    if (!(fields instanceof Map)) return fields;
    const f = fieldKey(argv[2]!);
    const old = fields.get(f);
    const current = old === undefined ? LD_ZERO : parseLongDouble(old);
    if (current === undefined) return NOT_FLOAT_HASH;
    // a stored "inf" parses, and inf + finite is inf
    if (current === 'inf' || current === '-inf') return INCR_NAN;
    const next = addLongDouble(current, incr);
    if (next === 'inf') return INCR_NAN;
    const text = Buffer.from(formatLongDoubleHuman(next), 'latin1');
    fields.set(f, text);
    hashWritten(db, argv[1]!, fields);
    return bulk(text);
  },
};
