import type { CommandSpec } from '../../engine/command';
import { int } from '../../engine/reply';
import { dropBucket } from '../store';
import { scopeOf } from './replies';

/**
 * S3IDX.DROP bucket: forgets everything the index holds for a bucket (objects, versions, tombstones, the registry
 * entry). The only way to remove index data: generic write commands are refused on `s3idx:` keys. Answers 1 when
 * the bucket was indexed, else 0. Administrative (@dangerous), like FLUSHDB.
 */
export const s3idxDrop: CommandSpec = {
  name: 's3idx.drop',
  arity: 2,
  flags: ['write'],
  acl: ['dangerous'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(N) where N is the number of objects and versions of the bucket',
  summary: "Drops a bucket's index.",
  since: '0.1.0',
  run: (ctx) => int(dropBucket(scopeOf(ctx), ctx.argv[1]!.toString('utf8')) ? 1 : 0),
};
