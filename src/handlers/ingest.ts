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
import { BatchProcessorSync, EventType } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Reply } from '../engine/reply';
import { ingest } from '../ingest/apply';
import type { IngestOutcome } from '../ingest/types';
import { backfillArgv, isBackfillMessage, isRepairMessage, repairArgv } from './backfill-message';
import { discardRuntime, logger, metrics, type Runtime, runCommand, runtime } from './runtime';

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

/** A message that can never be applied: reported alone, so that SQS redelivers it (and then dead-letters it). */
class PoisonMessage extends Error {
  constructor(
    message: string,
    readonly detail: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PoisonMessage';
  }
}

// Powertools' partial-batch processor (synchronous: the records are applied in order, on one engine)
const processor = new BatchProcessorSync(EventType.SQS, {
  logger: {
    debug: () => undefined,
    warn: (...args: unknown[]) => logger.warn(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});

// a cold start begins the restore while the module loads (see http.ts)
runtime().catch(() => undefined);

type Totals = { applied: number; stale: number; duplicate: number; ignored: number; rejected: number };

/** What a direct invocation (not from SQS) answers: the outcome counts of its one message. */
export type DirectResult = Totals;

/**
 * An SQS batch (the deployment), or one S3 event given directly — an EventBridge event, an S3 notification, an SNS
 * notification wrapping one (an EventBridge rule or S3 targeting the function, `serverless invoke local`): that
 * message is applied and committed like a batch of one, and a failure is thrown, so that the invoker retries.
 */
export async function handler(event: SqsEvent): Promise<BatchResponse>;
export async function handler(event: unknown): Promise<BatchResponse | DirectResult>;
export async function handler(event: unknown): Promise<BatchResponse | DirectResult> {
  if (isSqsEvent(event)) return (await ingestBatch(event.Records)).response;
  const messageId = (event as { id?: unknown })?.id;
  const body = JSON.stringify(event);
  const id = typeof messageId === 'string' ? messageId : 'direct';
  const { response, totals } = await ingestBatch([{ messageId: id, body }]);
  if (response.batchItemFailures.length > 0) throw new Error('the event was not applied (see the log)');
  return totals;
}

function isSqsEvent(event: unknown): event is SqsEvent {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return false;
  // an S3 notification also has Records, each with eventSource aws:s3
  return records.every((r) => typeof r === 'object' && r !== null && typeof r.body === 'string' && 'messageId' in r);
}

async function ingestBatch(records: SqsRecord[]): Promise<{ response: BatchResponse; totals: Totals }> {
  const started = Date.now();
  const rt = await upToDate();
  if (rt.remote !== undefined) return ingestExternal(rt, records, started);
  const engine = rt.engine;
  const db = rt.index.dbIndex;
  const writeLog = rt.persistence?.writeLog;
  const totals: Totals = { applied: 0, stale: 0, duplicate: 0, ignored: 0, rejected: 0 };
  const apply = (r: SqsRecord): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      throw new PoisonMessage('not JSON', { messageId: r.messageId });
    }
    if (isBackfillMessage(parsed)) {
      applyCommand(r.messageId, backfillArgv(parsed), 'backfill page');
      return;
    }
    if (isRepairMessage(parsed)) {
      applyCommand(r.messageId, repairArgv(parsed), 'reconcile repair');
      return;
    }
    const now = engine.clock.now();
    writeLog?.before(db, undefined);
    const dirty = engine.dirty;
    const outcome = ingest({ db: engine.dbs[db]!, now }, parsed, { limits: rt.index.limits });
    if (engine.dirty !== dirty) writeLog?.after(db, [INGEST, Buffer.from(r.body)], now);
    addOutcome(totals, r.messageId, outcome);
  };
  /**
   * A page of a backfill function's crawl (S3IDX.BACKFILL) or a reconcile function's repair (S3IDX.BACKFILL or
   * S3IDX.VERIFIED): one command, logged by the engine's write hook like any write.
   */
  const applyCommand = (messageId: string, argv: Buffer[] | undefined, what: string): void => {
    if (argv === undefined) throw new PoisonMessage(`not a valid ${what}`, { messageId });
    addCounts(totals, messageId, what, engine.execute(argv, { id: 0, db, resp: 2 }));
  };
  processor.register(records as never, apply as never, { throwOnFullBatchFailure: false });
  processor.processSync();
  for (const err of processor.errors) {
    if (err instanceof PoisonMessage) logger.warn(`poison message: ${err.message}`, err.detail);
    else logger.error('message failed', { error: err.message });
  }
  const { batchItemFailures } = processor.response();
  try {
    await writeLog?.flush();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'CommitConflict') metrics.addMetric('CommitConflicts', MetricUnit.Count, 1);
    logger.error('batch not committed: every message fails for redelivery', { error: (err as Error).message });
    discardRuntime();
    metrics.publishStoredMetrics();
    return { response: { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) }, totals };
  }
  return committed(records, batchItemFailures, totals, started);
}

/** The figures and the log line of a committed batch, and its response. */
function committed(
  records: SqsRecord[],
  batchItemFailures: BatchResponse['batchItemFailures'],
  totals: Totals,
  started: number,
): { response: BatchResponse; totals: Totals } {
  metrics.addMetric('EventsApplied', MetricUnit.Count, totals.applied);
  metrics.addMetric('EventsStale', MetricUnit.Count, totals.stale);
  metrics.addMetric('EventsDuplicate', MetricUnit.Count, totals.duplicate);
  metrics.addMetric('EventsRejected', MetricUnit.Count, totals.rejected);
  metrics.addMetric('PoisonMessages', MetricUnit.Count, batchItemFailures.length);
  metrics.addMetric('BatchLatency', MetricUnit.Milliseconds, Date.now() - started);
  metrics.publishStoredMetrics();
  logger.info('batch committed', { messages: records.length, failed: batchItemFailures.length, ...totals });
  return { response: { batchItemFailures }, totals };
}

/**
 * A batch on the index in an external Redis (S3_INDEX_REDIS_URL): each message applied in order, acknowledged once
 * the server took it (RedisIndex.ingest resolves after its writes). A poison message fails alone; a server that does
 * not answer fails that message and every one after it (SQS redelivers them; applying them again is harmless).
 */
async function ingestExternal(
  rt: Runtime,
  records: SqsRecord[],
  started: number,
): Promise<{ response: BatchResponse; totals: Totals }> {
  const totals: Totals = { applied: 0, stale: 0, duplicate: 0, ignored: 0, rejected: 0 };
  const failed: BatchResponse['batchItemFailures'] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    try {
      await applyExternal(rt, r, totals);
    } catch (err) {
      if (err instanceof PoisonMessage) {
        logger.warn(`poison message: ${err.message}`, err.detail);
        failed.push({ itemIdentifier: r.messageId });
        continue;
      }
      logger.error('the Redis server did not take the batch: this message and the rest fail for redelivery', {
        error: (err as Error).message,
      });
      for (const rest of records.slice(i)) failed.push({ itemIdentifier: rest.messageId });
      break;
    }
  }
  return committed(records, failed, totals, started);
}

async function applyExternal(rt: Runtime, r: SqsRecord, totals: Totals): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    throw new PoisonMessage('not JSON', { messageId: r.messageId });
  }
  const command = isBackfillMessage(parsed)
    ? { argv: backfillArgv(parsed), what: 'backfill page' }
    : isRepairMessage(parsed)
      ? { argv: repairArgv(parsed), what: 'reconcile repair' }
      : undefined;
  if (command !== undefined) {
    if (command.argv === undefined) throw new PoisonMessage(`not a valid ${command.what}`, { messageId: r.messageId });
    addCounts(totals, r.messageId, command.what, await runCommand(rt, command.argv));
    return;
  }
  const outcome = await rt.objectIndex.ingest(parsed);
  addOutcome(totals, r.messageId, outcome);
}

/** Adds an ingest outcome to the totals; a message whose every event was rejected is poison. */
function addOutcome(totals: Totals, messageId: string, outcome: IngestOutcome): void {
  totals.applied += outcome.applied;
  totals.stale += outcome.stale;
  totals.duplicate += outcome.duplicate;
  totals.ignored += outcome.ignored;
  totals.rejected += outcome.rejected.length;
  const accepted = outcome.applied + outcome.stale + outcome.duplicate + outcome.ignored;
  if (outcome.rejected.length > 0 && accepted === 0)
    throw new PoisonMessage('every event rejected', {
      messageId,
      reasons: outcome.rejected.slice(0, 3).map((x) => x.reason),
    });
}

/** Adds the counts of an S3IDX.BACKFILL / S3IDX.VERIFIED reply to the totals; an error reply is poison. */
function addCounts(totals: Totals, messageId: string, what: string, reply: Reply): void {
  if (reply.t === 'error') throw new PoisonMessage(`${what} refused`, { messageId, reason: reply.v });
  if (reply.t !== 'map') throw new Error(`${what} answered ${reply.t}`);
  for (const [k, v] of reply.v) {
    const name = k.t === 'bulk' ? k.v.toString() : '';
    if (v.t === 'int' && (name === 'applied' || name === 'stale' || name === 'duplicate' || name === 'ignored'))
      totals[name] += Number(v.v);
  }
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
