/** The S3 index's commands (S3IDX.*), added to the engine's table by createEngine(). */
import type { CommandSpec } from '../../engine/command';

export const S3INDEX_COMMANDS: readonly CommandSpec[] = [];
