import type { CommandSpec } from '../../engine/command';
import { wrongArity } from '../../engine/errors';
import { bulkStr, int, map, type Reply } from '../../engine/reply';
import { type PrefixStats, stats } from '../lookup';
import { indexErrorReply, scopeOf } from './replies';

/** S3IDX.STATS bucket [prefix]: number of objects and total bytes under the prefix, in O(log n). */
/** S3IDX.STATS's reply. */
export const statsReply = (s: PrefixStats): Reply =>
  map([
    [bulkStr('objects'), int(s.objects)],
    [bulkStr('bytes'), int(s.bytes)],
  ]);

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
    return r.ok ? statsReply(r.value) : indexErrorReply(r.error);
  },
};
