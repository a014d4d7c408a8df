import { type CommandSpec, NO_KEYS } from '../../engine/command';
import { array, bulkStr, int, map, type Reply } from '../../engine/reply';
import { scopeOf } from '../../index/commands/replies';
import { ingest } from '../../ingest/apply';
import type { IngestOutcome } from '../../ingest/types';

/**
 * S3IDX.INGEST <json>: applies S3 events (EventBridge, SQS batch, classic notification, SNS envelope, or an array)
 * and replies with the outcome counts; rejected events come back as [index, reason] pairs.
 */
export const s3idxIngest: CommandSpec = {
  name: 's3idx.ingest',
  arity: 2,
  flags: ['write', 'denyoom'],
  keys: NO_KEYS,
  group: 's3index',
  complexity: 'O(E·log n) for E events on a bucket of n objects',
  summary: 'Applies S3 object events to the index and returns applied/stale/duplicate/ignored/rejected counts.',
  since: '0.1.0',
  run(ctx) {
    return ingestReply(ingest(scopeOf(ctx), ctx.argv[1]!));
  },
};

/** S3IDX.INGEST's reply for an outcome. */
export function ingestReply(o: IngestOutcome): Reply {
  return map([
    [bulkStr('applied'), int(o.applied)],
    [bulkStr('stale'), int(o.stale)],
    [bulkStr('duplicate'), int(o.duplicate)],
    [bulkStr('ignored'), int(o.ignored)],
    [bulkStr('rejected'), array(o.rejected.map((r) => array([int(r.index), bulkStr(r.reason)])))],
  ]);
}
