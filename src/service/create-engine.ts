/** Builds the engine the service runs: the Redis-compatible core plus the S3 index commands. */
import type { Clock } from '../engine/clock';
import { Engine } from '../engine/engine';
import { S3INDEX_COMMANDS } from '../index/commands/index';

export function createEngine(opts: { clock?: Clock } = {}): Engine {
  return new Engine({ clock: opts.clock, extraCommands: S3INDEX_COMMANDS });
}
