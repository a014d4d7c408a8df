/**
 * The S3 index's query and maintenance commands (S3IDX.LIST, HEAD, STATS, BUCKETS, DROP, BACKFILL,
 * UNVERIFIED, VERIFIED): everything the index
 * answers on its own. S3IDX.INGEST, which parses S3 events before applying them, joins these in the service's table
 * (src/service/commands/index.ts), where the index and event parsing meet.
 */
import type { CommandSpec } from '../../engine/command';
import { s3idxBackfill } from './backfill';
import { s3idxBuckets } from './buckets';
import { s3idxDrop } from './drop';
import { s3idxHead } from './head';
import { s3idxList } from './list';
import { s3idxStats } from './stats';
import { s3idxUnverified, s3idxVerified } from './verified';

export const INDEX_COMMANDS: readonly CommandSpec[] = [
  s3idxList,
  s3idxHead,
  s3idxStats,
  s3idxBuckets,
  s3idxDrop,
  s3idxBackfill,
  s3idxUnverified,
  s3idxVerified,
];
