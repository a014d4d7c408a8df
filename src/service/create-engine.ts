/** Builds the engine the service runs: the Redis-compatible core plus the S3 index commands. */
import type { Clock } from '../engine/clock';
import { Engine } from '../engine/engine';
import { error } from '../engine/reply';
import { INDEX_KEY_PREFIX } from '../index/store';
import { rdbValueCodec } from '../persistence/rdb/dump';
import { S3INDEX_COMMANDS } from './commands/index';

export function createEngine(opts: { clock?: Clock } = {}): Engine {
  return new Engine({
    clock: opts.clock,
    extraCommands: S3INDEX_COMMANDS,
    valueCodec: rdbValueCodec,
    // the index's keys stay readable, but only S3IDX.* writes them: a raw write could corrupt a listing
    reservedKeys: {
      prefix: INDEX_KEY_PREFIX,
      owner: 's3index',
      refusal: (key) =>
        error(
          `NOPERM '${key}' belongs to the S3 index and is written only by S3IDX commands (S3IDX.DROP bucket drops a bucket's index)`,
        ),
    },
  });
}
