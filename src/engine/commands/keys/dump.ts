import type { CommandSpec } from '../../command';
import { bulk, error, NULL } from '../../reply';
import { lookupRead } from './lookup';

/** The answer of DUMP and RESTORE in a process that offers no value codec (an engine made without one). */
export const NO_CODEC = error('ERR DUMP and RESTORE are not available in this process');

export const dump: CommandSpec = {
  name: 'dump',
  arity: 2,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity:
    'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size.',
  summary: 'Return a serialized version of the value stored at the specified key.',
  since: '2.6.0',
  run(ctx) {
    const codec = ctx.engine.valueCodec;
    if (codec === undefined) return NO_CODEC;
    const v = lookupRead(ctx, ctx.argv[1]!);
    return v === undefined ? NULL : bulk(codec.dump(v));
  },
};
