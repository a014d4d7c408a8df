import type { CommandSpec } from '../../engine/command';
import { isReply } from '../../engine/commands/arguments';
import { NOT_INTEGER, SYNTAX } from '../../engine/errors';
import { bulkStr, error, int, map, type Reply } from '../../engine/reply';
import type { IndexOp, OpOutcome } from '../key-state';
import { applyIndexOp, DEFAULT_LIMITS, type IndexScope, isWrongType } from '../store';
import { scopeOf } from './replies';

const ROW = 5;
/** times are stored as u48 ms (payload.ts) */
export const MAX_TIME_MS = 2 ** 48 - 1;

/** An ETag without its surrounding quotes; anything printable up to 1 KiB (as events' are taken). */
export function validEtag(s: string): string | undefined {
  const e = s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
  return e.length > 0 && e.length <= 1024 ? e : undefined;
}
export const TOKEN = /^[A-Z0-9_]{1,64}$/;

export function nonNegativeInt(b: Buffer): number | undefined {
  const s = b.toString('latin1');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The 'listed' operations of an S3IDX.BACKFILL command (below), or the error reply of its first bad argument: every
 * row is checked before any is applied, so a command applies entirely or not at all.
 */
export function parseBackfill(argv: readonly Buffer[]): { bucket: string; ops: IndexOp[] } | Reply {
  if ((argv.length - 3) % ROW !== 0) return SYNTAX;
  const bucket = argv[1]!.toString('utf8');
  const crawlStart = nonNegativeInt(argv[2]!);
  if (crawlStart === undefined || crawlStart > MAX_TIME_MS) return NOT_INTEGER;
  const ops: IndexOp[] = [];
  for (let i = 3; i < argv.length; i += ROW) {
    const size = nonNegativeInt(argv[i + 1]!);
    const lastModified = nonNegativeInt(argv[i + 3]!);
    if (size === undefined || lastModified === undefined || lastModified > MAX_TIME_MS) return NOT_INTEGER;
    const etag = validEtag(argv[i + 2]!.toString('utf8'));
    const storageClass = argv[i + 4]!.toString('latin1');
    if (etag === undefined) return error('ERR invalid etag');
    if (!TOKEN.test(storageClass)) return error('ERR invalid storage class');
    const version = { sequencer: '', deleteMarker: false, size, etag, lastModified, storageClass };
    ops.push({ op: 'listed', bucket, key: argv[i]!.toString('utf8'), crawlStart, version });
  }
  return { bucket, ops };
}

/** The reply of S3IDX.BACKFILL and S3IDX.VERIFIED: how many operations had each outcome. */
export function outcomeCountsReply(counts: Readonly<Record<OpOutcome, number>>): Reply {
  return map(Object.entries(counts).map(([k, v]) => [bulkStr(k), int(v)]));
}

/** Applies maintenance operations (listed, verified) in order; their outcome counts, or WRONGTYPE. */
export function applyAll(scope: IndexScope, ops: readonly IndexOp[]): Reply {
  const counts: Record<OpOutcome, number> = { applied: 0, stale: 0, duplicate: 0, ignored: 0 };
  for (const op of ops) {
    const outcome = applyIndexOp(scope, op, DEFAULT_LIMITS);
    if (isWrongType(outcome)) return error('WRONGTYPE Operation against a key holding the wrong kind of value');
    counts[outcome]++;
  }
  return outcomeCountsReply(counts);
}

/**
 * S3IDX.BACKFILL bucket crawl-start key size etag last-modified storage-class [key size etag last-modified
 * storage-class ...]: merges rows of a ListObjectsV2 crawl (or an inventory) of `bucket` into the index, under the
 * rule of key-state.ts (op 'listed'): a row fills in what the events did not tell, never overrides what they did,
 * and never resurrects a key deleted since the crawl began. `crawl-start` (ms since the epoch) is when the crawl
 * began by THIS server's clock (read it with TIME before the first ListObjectsV2 call): the tombstones it is
 * compared with carry this server's ingest times. `last-modified` in ms; the etag with or without quotes.
 * Replies with the applied/stale/duplicate/ignored counts.
 */
export const s3idxBackfill: CommandSpec = {
  name: 's3idx.backfill',
  arity: -3 - ROW,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 's3index',
  complexity: 'O(R·log n) for R rows on a bucket of n objects',
  summary: 'Merges crawled object rows into the index without overriding what events told.',
  since: '0.1.0',
  run(ctx) {
    const parsed = parseBackfill(ctx.argv);
    return isReply(parsed) ? parsed : applyAll(scopeOf(ctx), parsed.ops);
  },
};
