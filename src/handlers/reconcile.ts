/**
 * The reconcile Lambda (scheduled; `reconcileSchedule` in serverless.yml): compares the index with a fresh listing
 * of every indexed bucket (src/backfill/reconcile.ts), publishes the drift as metrics and, when repair is on, sends
 * the repairs to the ingest queue, so the ingest function stays the one writer of the store.
 *
 *   scheduled event (or {})                         every bucket of S3_INDEX_RECONCILE_BUCKETS (comma-separated)
 *   {"bucket": "B", "prefix": "P", "repair": false}  one bucket (prefix and repair optional)
 *
 * The index is this container's copy of the store (restored, then refreshed like the api function's): events still
 * in the queue are not in it yet. So entries modified less than S3_INDEX_RECONCILE_SETTLE_MS (default 5 minutes)
 * before the listing began are not counted as drift; an older backlog shows as drift whose repair is harmless (a
 * listed row never overrides an event, and the events, applied later, win over it).
 *
 * Metrics (namespace POWERTOOLS_METRICS_NAMESPACE, dimension service): ReconcileDrift (missing + extra + stale +
 * unverified keys, all buckets), ReconcileMissing, ReconcileExtra, ReconcileStale, ReconcileUnverified,
 * ReconcileChecked (objects listed), ReconcileRepairQueued (rows sent to the queue), ReconcileFailures (buckets whose
 * reconcile failed; the invocation then fails too, after the other buckets ran).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { driftOf, type ReconcileReport, reconcile } from '../backfill/reconcile';
import { replyToJson } from '../http/upstash';
import { repairMessage } from './backfill-message';
import { ingestQueueUrl, sendMessages } from './queue';
import { logger, metrics, refreshed, runCommand, sourceS3Client } from './runtime';

export interface ReconcileEvent {
  bucket?: string;
  prefix?: string;
  repair?: boolean;
}

export interface BucketSummary {
  bucket: string;
  prefix: string;
  drift: number;
  missing: number;
  extra: number;
  stale: number;
  unverified: number;
  checked: number;
  skipped: number;
  queued: number;
  error?: string;
}

export interface ReconcileResult {
  drift: number;
  buckets: BucketSummary[];
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const v = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** The buckets to reconcile: the event's one, or S3_INDEX_RECONCILE_BUCKETS. */
function targets(event: ReconcileEvent): Array<{ bucket: string; prefix: string }> {
  if (typeof event.bucket === 'string' && event.bucket !== '')
    return [{ bucket: event.bucket, prefix: typeof event.prefix === 'string' ? event.prefix : '' }];
  const list = (process.env.S3_INDEX_RECONCILE_BUCKETS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (list.length === 0)
    throw new Error('no bucket to reconcile: invoke with {"bucket":…} or set S3_INDEX_RECONCILE_BUCKETS');
  return list.map((bucket) => ({ bucket, prefix: '' }));
}

type Counts = Omit<BucketSummary, 'bucket' | 'prefix' | 'error'>;

/** A bucket whose reconcile failed counts nothing. */
const NO_COUNTS: Counts = {
  drift: 0,
  missing: 0,
  extra: 0,
  stale: 0,
  unverified: 0,
  checked: 0,
  skipped: 0,
  queued: 0,
};

/** The metrics published, each the sum of one count over the buckets. */
const METRICS: ReadonlyArray<[string, keyof Counts]> = [
  ['ReconcileDrift', 'drift'],
  ['ReconcileMissing', 'missing'],
  ['ReconcileExtra', 'extra'],
  ['ReconcileStale', 'stale'],
  ['ReconcileUnverified', 'unverified'],
  ['ReconcileChecked', 'checked'],
  ['ReconcileRepairQueued', 'queued'],
];

const summaryOf = (r: ReconcileReport): BucketSummary => ({
  bucket: r.bucket,
  prefix: r.prefix,
  drift: driftOf(r),
  missing: r.missing.length,
  extra: r.extra.length,
  stale: r.stale.length,
  unverified: r.unverified,
  checked: r.checked.bucket,
  skipped: r.skipped,
  queued: r.repaired.queued,
});

export async function handler(event: ReconcileEvent = {}): Promise<ReconcileResult> {
  const repair =
    typeof event.repair === 'boolean' ? event.repair : (process.env.S3_INDEX_RECONCILE_REPAIR ?? 'true') !== 'false';
  const queueUrl = repair ? ingestQueueUrl() : '';
  const settleMs = envNumber('S3_INDEX_RECONCILE_SETTLE_MS', 5 * 60_000);
  const concurrency = Math.max(1, Math.floor(envNumber('S3_INDEX_RECONCILE_CONCURRENCY', 8)));
  const out: BucketSummary[] = [];
  for (const { bucket, prefix } of targets(event)) {
    try {
      const rt = await refreshed();
      const report = await reconcile({
        s3: sourceS3Client(),
        bucket,
        prefix,
        concurrency,
        settleMs,
        repair,
        async redis(argv) {
          const reply = await runCommand(
            rt,
            argv.map((a) => Buffer.from(a)),
          );
          if (reply.t === 'error') throw new Error(reply.v);
          return replyToJson(reply, false);
        },
        async write(argv) {
          await sendMessages(queueUrl, [repairMessage(argv)]);
          return undefined;
        },
      });
      const summary = summaryOf(report);
      out.push(summary);
      logger.info('reconciled', { ...summary });
    } catch (err) {
      const error = (err as Error).message;
      out.push({ bucket, prefix, ...NO_COUNTS, error });
      logger.error('reconcile failed', { bucket, prefix, error });
    }
  }
  const sum = (f: (s: BucketSummary) => number) => out.reduce((t, s) => t + f(s), 0);
  const failures = out.filter((s) => s.error !== undefined);
  for (const [name, count] of METRICS)
    metrics.addMetric(
      name,
      MetricUnit.Count,
      sum((s) => s[count]),
    );
  metrics.addMetric('ReconcileFailures', MetricUnit.Count, failures.length);
  metrics.publishStoredMetrics();
  if (failures.length > 0)
    throw new Error(`reconcile failed for ${failures.map((f) => `${f.bucket}: ${f.error}`).join('; ')}`);
  return { drift: sum((s) => s.drift), buckets: out };
}
