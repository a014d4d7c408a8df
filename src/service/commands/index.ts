/** Every S3IDX.* command, added to the engine's table by createEngine(): the index's own, and S3IDX.INGEST. */
import type { CommandSpec } from '../../engine/command';
import { INDEX_COMMANDS } from '../../index/commands/index';
import { s3idxIngest } from './ingest';

export const S3INDEX_COMMANDS: readonly CommandSpec[] = [s3idxIngest, ...INDEX_COMMANDS];
