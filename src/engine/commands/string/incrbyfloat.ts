import type { CommandSpec } from '../../command';
import { INCR_NAN, NOT_FLOAT, WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { addLongDouble, formatLongDoubleHuman, LD_ZERO, parseLongDouble } from '../../long-double';
import { bulk } from '../../reply';
import { newString } from './value';

/**
 * Computes in emulated x87 long double like Redis (see src/engine/long-double.ts), so replies and stored values match
 * Redis byte for byte: 0.1 + 0.2 gives "0.3", 1000 + 0.1 gives "1000.09999999999999998". The TTL is kept.
 */
export const incrbyfloat: CommandSpec = {
  name: 'incrbyfloat',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Increment the float value of a key by the given amount',
  since: '2.6.0',
  run({ db, argv, now }) {
    const key = keyOf(argv[1]!);
    const v = db.lookup(key, now);
    if (v !== undefined && v.type !== 'string') return WRONGTYPE;
    const current = v === undefined ? LD_ZERO : parseLongDouble(v.v);
    if (current === undefined) return NOT_FLOAT;
    const incr = parseLongDouble(argv[2]!);
    if (incr === undefined) return NOT_FLOAT;
    // ±inf parse (strtold accepts them) but any sum involving them is inf or NaN
    if (typeof current === 'string' || typeof incr === 'string') return INCR_NAN;
    const next = addLongDouble(current, incr);
    if (next === 'inf') return INCR_NAN;
    const text = Buffer.from(formatLongDoubleHuman(next), 'latin1');
    // Redis builds the result with createStringObject: "embstr" even when it reads as an integer
    db.set(key, newString(text, 'embstr'), true);
    return bulk(text);
  },
};
