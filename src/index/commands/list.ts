import type { CommandSpec } from '../../engine/command';
import { intArg, isOpt, isReply } from '../../engine/commands/arguments';
import { SYNTAX } from '../../engine/errors';
import { array, bulkStr, int, map, NULL, type Reply } from '../../engine/reply';
import { JSON_MAX_KEYS, type ListOptions, type ListPage, listObjectsV2 } from '../list';
import { indexErrorReply, objectReply, scopeOf } from './replies';

/** The listing options of an S3IDX.LIST command (argv[2…]), or the error reply of a bad one. */
export function parseListArgs(argv: readonly Buffer[]): ListOptions | Reply {
  const opts: { -readonly [K in keyof ListOptions]: ListOptions[K] } = {};
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) return SYNTAX;
    if (isOpt(name, 'PREFIX')) opts.prefix = value.toString('utf8');
    else if (isOpt(name, 'DELIMITER')) opts.delimiter = value.toString('utf8');
    else if (isOpt(name, 'STARTAFTER')) opts.startAfter = value.toString('utf8');
    else if (isOpt(name, 'TOKEN')) opts.continuationToken = value.toString('utf8');
    else if (isOpt(name, 'MAXKEYS')) {
      const n = intArg(value);
      if (isReply(n)) return n;
      opts.maxKeys = n;
    } else return SYNTAX;
  }
  return opts;
}

/** S3IDX.LIST's reply for a page. */
export function listPageReply(p: ListPage): Reply {
  return map([
    [bulkStr('objects'), array(p.contents.map((o) => objectReply(o.key, o.version)))],
    [bulkStr('prefixes'), array(p.commonPrefixes.map(bulkStr))],
    [bulkStr('count'), int(p.keyCount)],
    [bulkStr('truncated'), int(p.isTruncated ? 1 : 0)],
    [bulkStr('next'), p.nextContinuationToken === undefined ? NULL : bulkStr(p.nextContinuationToken)],
  ]);
}

/**
 * S3IDX.LIST bucket [PREFIX p] [DELIMITER d] [MAXKEYS n] [STARTAFTER k] [TOKEN t]: one ListObjectsV2 page
 * (MAXKEYS default 1000, at most 10000) as a map: objects, prefixes, count, truncated, next (token or nil).
 */
export const s3idxList: CommandSpec = {
  name: 's3idx.list',
  arity: -2,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O((M + P)·log n): M keys returned, P common prefixes seeked past, n objects in the bucket',
  summary: 'Lists a bucket with ListObjectsV2 semantics (prefix, delimiter, max-keys, start-after, token).',
  since: '0.1.0',
  run(ctx) {
    const opts = parseListArgs(ctx.argv);
    if (isReply(opts)) return opts;
    const r = listObjectsV2(scopeOf(ctx), ctx.argv[1]!.toString('utf8'), opts, { maxKeysCap: JSON_MAX_KEYS });
    return r.ok ? listPageReply(r.value) : indexErrorReply(r.error);
  },
};
