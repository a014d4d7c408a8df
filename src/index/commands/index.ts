/** The S3 index's commands (S3IDX.*), added to the engine's table by createEngine(). */
import type { CommandSpec } from '../../engine/command';
import { s3idxBuckets } from './buckets';
import { s3idxDrop } from './drop';
import { s3idxHead } from './head';
import { s3idxIngest } from './ingest';
import { s3idxList } from './list';
import { s3idxStats } from './stats';

export const S3INDEX_COMMANDS: readonly CommandSpec[] = [
  s3idxIngest,
  s3idxList,
  s3idxHead,
  s3idxStats,
  s3idxBuckets,
  s3idxDrop,
];
