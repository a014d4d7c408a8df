import type { CommandSpec } from '../../engine/command';
import { isOpt, isReply } from '../../engine/commands/arguments';
import { NOT_INTEGER, SYNTAX } from '../../engine/errors';
import { error, type Reply } from '../../engine/reply';
import type { IndexOp } from '../key-state';
import { pendingVerification } from '../lookup';
import type { ObjectVersion } from '../payload';
import { applyAll, MAX_TIME_MS, nonNegativeInt, TOKEN, validEtag } from './backfill';
import { scopeOf, stringsReply } from './replies';

/**
 * S3IDX.UNVERIFIED bucket [COUNT n]: the object keys of `bucket` whose current version is unknown (a current version
 * was permanently deleted and no older one is known: s3idx:{B}:verify), at most n of them (all by default), in no
 * particular order. Reconcile asks HeadObject about each and answers with S3IDX.VERIFIED.
 */
export const s3idxUnverified: CommandSpec = {
  name: 's3idx.unverified',
  arity: -2,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(N) for the N keys returned',
  summary: 'Lists the keys of a bucket whose current version awaits verification (HeadObject).',
  since: '0.1.0',
  run(ctx) {
    const parsed = parseUnverified(ctx.argv);
    return isReply(parsed) ? parsed : stringsReply(pendingVerification(scopeOf(ctx), parsed.bucket, parsed.count));
  },
};

/** The bucket and count of an S3IDX.UNVERIFIED command, or the error reply of a bad argument. */
export function parseUnverified(argv: readonly Buffer[]): { bucket: string; count: number } | Reply {
  let count = Number.POSITIVE_INFINITY;
  if (argv.length === 4 && isOpt(argv[2], 'COUNT')) {
    const n = nonNegativeInt(argv[3]!);
    if (n === undefined || n === 0) return error('ERR COUNT must be a positive integer');
    count = n;
  } else if (argv.length !== 2) return SYNTAX;
  return { bucket: argv[1]!.toString('utf8'), count };
}

const PRESENT_FIELDS = 5;

/**
 * The 'verified' operations of an S3IDX.VERIFIED command (below), or the error reply of its first bad argument:
 * every row is checked before any is applied.
 */
export function parseVerified(argv: readonly Buffer[]): { bucket: string; ops: IndexOp[] } | Reply {
  const bucket = argv[1]!.toString('utf8');
  const checkedAt = nonNegativeInt(argv[2]!);
  if (checkedAt === undefined || checkedAt > MAX_TIME_MS) return NOT_INTEGER;
  const ops: IndexOp[] = [];
  for (let i = 3; i < argv.length; ) {
    const key = argv[i]!.toString('utf8');
    const kind = argv[i + 1];
    if (isOpt(kind, 'ABSENT')) {
      ops.push({ op: 'verified', bucket, key, checkedAt });
      i += 2;
    } else if (isOpt(kind, 'PRESENT')) {
      if (i + 2 + PRESENT_FIELDS > argv.length) return SYNTAX;
      const size = nonNegativeInt(argv[i + 2]!);
      const lastModified = nonNegativeInt(argv[i + 4]!);
      if (size === undefined || lastModified === undefined || lastModified > MAX_TIME_MS) return NOT_INTEGER;
      const etag = validEtag(argv[i + 3]!.toString('utf8'));
      if (etag === undefined) return error('ERR invalid etag');
      const storageClass = argv[i + 5]!.toString('latin1');
      if (!TOKEN.test(storageClass)) return error('ERR invalid storage class');
      const versionId = argv[i + 6]!.toString('utf8');
      if (versionId.length > 1024) return error('ERR invalid version id');
      const version: ObjectVersion = { sequencer: '', deleteMarker: false, size, etag, lastModified, storageClass };
      if (versionId !== '') version.versionId = versionId;
      ops.push({ op: 'verified', bucket, key, checkedAt, version });
      i += 2 + PRESENT_FIELDS;
    } else return SYNTAX;
  }
  return { bucket, ops };
}

/**
 * S3IDX.VERIFIED bucket checked-at key PRESENT size etag last-modified storage-class version-id [key ...]
 * S3IDX.VERIFIED bucket checked-at key ABSENT [key ...]
 *
 * Applies what HeadObject said of each key's current version (key-state.ts, op 'verified'): PRESENT with its
 * metadata (version-id '' for an unversioned object), or ABSENT (404). `checked-at` (ms since the epoch) is when the
 * HEAD requests began by THIS server's clock (read it with TIME before the first one): a result never overrides an
 * event applied since then. Rows may mix both forms; every row is checked before any is applied, and the command
 * applies entirely or not at all. Replies with the applied/stale/duplicate/ignored counts.
 */
export const s3idxVerified: CommandSpec = {
  name: 's3idx.verified',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(R·log n) for R rows on a bucket of n objects',
  summary: 'Applies HeadObject results (present with metadata, or absent) to keys of the index.',
  since: '0.1.0',
  run(ctx) {
    const parsed = parseVerified(ctx.argv);
    return isReply(parsed) ? parsed : applyAll(scopeOf(ctx), parsed.ops);
  },
};
