import type { CommandSpec } from '../../engine/command';
import { wrongArity } from '../../engine/errors';
import { bulkStr, int, map } from '../../engine/reply';
import { stats } from '../lookup';
import { indexErrorReply, scopeOf } from './replies';

/** S3IDX.STATS bucket [prefix]: number of objects and total bytes under the prefix, in O(log n). */
export const s3idxStats: CommandSpec = {
  name: 's3idx.stats',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(log n)',
  summary: 'Counts the objects and sums their sizes under a prefix of a bucket.',
  since: '0.1.0',
  run(ctx) {
    if (ctx.argv.length > 3) return wrongArity('s3idx.stats');
    const prefix = ctx.argv[2]?.toString('utf8') ?? '';
    const r = stats(scopeOf(ctx), ctx.argv[1]!.toString('utf8'), prefix);
    if (!r.ok) return indexErrorReply(r.error);
    return map([
      [bulkStr('objects'), int(r.value.objects)],
      [bulkStr('bytes'), int(r.value.bytes)],
    ]);
  },
};
