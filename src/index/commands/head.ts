import type { CommandSpec } from '../../engine/command';
import { NULL } from '../../engine/reply';
import { head } from '../lookup';
import { indexErrorReply, objectReply, scopeOf } from './replies';

/** S3IDX.HEAD bucket key: the listed object's metadata as a map, or nil when the index does not list it. */
export const s3idxHead: CommandSpec = {
  name: 's3idx.head',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(log n)',
  summary: 'Returns the metadata of one object of the index (size, etag, last-modified, storage class, version).',
  since: '0.1.0',
  run(ctx) {
    const key = ctx.argv[2]!.toString('utf8');
    const r = head(scopeOf(ctx), ctx.argv[1]!.toString('utf8'), key);
    if (!r.ok) return indexErrorReply(r.error);
    return r.value === undefined ? NULL : objectReply(key, r.value);
  },
};
