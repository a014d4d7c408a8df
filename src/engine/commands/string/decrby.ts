import type { CommandSpec } from '../../command';
import { DECREMENT_OVERFLOW, NOT_INTEGER } from '../../errors';
import { parseInt64 } from '../../numbers';
import { incrDecr } from './incr';

const INT64_MIN = -9223372036854775808n;

export const decrby: CommandSpec = {
  name: 'decrby',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Decrement the integer value of a key by the given number',
  since: '1.0.0',
  run(ctx) {
    const delta = parseInt64(ctx.argv[2]!);
    if (delta === undefined) return NOT_INTEGER;
    // its negation is not an int64: refused before the key is even looked at
    if (delta === INT64_MIN) return DECREMENT_OVERFLOW;
    return incrDecr(ctx, -delta);
  },
};
