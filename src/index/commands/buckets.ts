import { type CommandSpec, NO_KEYS } from '../../engine/command';
import { listBuckets } from '../lookup';
import { scopeOf, stringsReply } from './replies';

/** S3IDX.BUCKETS: the names of every indexed bucket, in byte order. */
export const s3idxBuckets: CommandSpec = {
  name: 's3idx.buckets',
  arity: 1,
  flags: ['readonly'],
  keys: NO_KEYS,
  group: 's3index',
  complexity: 'O(B log B) for B buckets',
  summary: 'Lists the buckets the index holds.',
  since: '0.1.0',
  run: (ctx) => stringsReply(listBuckets(scopeOf(ctx))),
};
