/**
 * The ingest Lambda: an SQS event source whose messages are S3 events (EventBridge, or S3 notification JSON,
 * possibly inside SNS). Reports failures per message (ReportBatchItemFailures):
 * - a message that does not parse, or whose every event is rejected, is poison: reported alone, the rest applied;
 * - the applied messages are logged as one log segment (one Durable commit) before the handler returns, so a batch
 *   is acknowledged only once it is durable in the store;
 * - a commit conflict (another writer committed first: a zombie container) or a store failure fails every message
 *   of the batch; the container drops its engine and the redelivery is applied on top of the winner's state, where
 *   per-key sequencer ordering makes a replayed event a harmless duplicate.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ingest } from '../ingest/apply';
import { discardRuntime, logger, metrics, type Runtime, runtime } from './runtime';

export interface SqsRecord {
  messageId: string;
  body: string;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

const INGEST = Buffer.from('S3IDX.INGEST', 'latin1');

export async function handler(event: SqsEvent): Promise<BatchResponse> {
  const started = Date.now();
  const records = event.Records ?? [];
  const rt = await upToDate();
  const engine = rt.engine;
  const db = rt.index.dbIndex;
  const writeLog = rt.persistence?.writeLog;
  const failures: BatchResponse['batchItemFailures'] = [];
  const totals = { applied: 0, stale: 0, duplicate: 0, ignored: 0, rejected: 0 };
  for (const r of records) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      logger.warn('poison message: not JSON', { messageId: r.messageId });
      failures.push({ itemIdentifier: r.messageId });
      continue;
    }
    const now = engine.clock.now();
    writeLog?.before(db, undefined);
    const dirty = engine.dirty;
    const outcome = ingest({ db: engine.dbs[db]!, now }, parsed, { limits: rt.index.limits });
    if (engine.dirty !== dirty) writeLog?.after(db, [INGEST, Buffer.from(r.body)], now);
    totals.applied += outcome.applied;
    totals.stale += outcome.stale;
    totals.duplicate += outcome.duplicate;
    totals.ignored += outcome.ignored;
    totals.rejected += outcome.rejected.length;
    const accepted = outcome.applied + outcome.stale + outcome.duplicate + outcome.ignored;
    if (outcome.rejected.length > 0 && accepted === 0) {
      logger.warn('poison message: rejected', {
        messageId: r.messageId,
        reasons: outcome.rejected.slice(0, 3).map((x) => x.reason),
      });
      failures.push({ itemIdentifier: r.messageId });
    }
  }
  try {
    await writeLog?.flush();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'CommitConflict') metrics.addMetric('CommitConflicts', MetricUnit.Count, 1);
    logger.error('batch not committed: every message fails for redelivery', { error: (err as Error).message });
    discardRuntime();
    metrics.publishStoredMetrics();
    return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
  metrics.addMetric('EventsApplied', MetricUnit.Count, totals.applied);
  metrics.addMetric('EventsStale', MetricUnit.Count, totals.stale);
  metrics.addMetric('EventsDuplicate', MetricUnit.Count, totals.duplicate);
  metrics.addMetric('EventsRejected', MetricUnit.Count, totals.rejected);
  metrics.addMetric('BatchLatency', MetricUnit.Milliseconds, Date.now() - started);
  metrics.publishStoredMetrics();
  logger.info('batch committed', { messages: records.length, failed: failures.length, ...totals });
  return { batchItemFailures: failures };
}

/**
 * The runtime on the store's latest state: the compact function writes manifests too (a new snapshot), so a
 * writer re-reads the manifest (a conditional GET) before each batch instead of meeting a needless conflict.
 */
async function upToDate(): Promise<Runtime> {
  const rt = await runtime();
  const p = rt.persistence;
  if (p === undefined) return rt;
  try {
    if ((await p.durable.refresh(rt.engine)) !== 'reload') return rt;
  } catch (err) {
    logger.warn('refresh failed: restoring afresh', { error: (err as Error).message });
  }
  discardRuntime();
  return runtime();
}
