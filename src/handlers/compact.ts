/**
 * The compact Lambda (scheduled): restores the store, writes a snapshot that folds the log in, and deletes the
 * blobs no manifest names once they are older than the grace period (S3_INDEX_GC_GRACE_MS, default 10 minutes: a
 * reader may still be loading what the new snapshot replaced).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { discardRuntime, logger, metrics, runtime } from './runtime';

export async function handler(): Promise<{ snapshot?: string; bytes?: number; deleted: number }> {
  const rt = await runtime();
  const p = rt.persistence;
  if (p === undefined) throw new Error('S3_INDEX_STORE is not set: nothing to compact');
  try {
    // the store may have moved on since this container restored
    if ((await p.durable.refresh(rt.engine)) === 'reload') {
      discardRuntime();
      return handler();
    }
    const ref = await p.durable.snapshot(rt.engine);
    const graceMs = Number(process.env.S3_INDEX_GC_GRACE_MS ?? 10 * 60_000);
    const deleted = await p.durable.collectGarbage(graceMs);
    if (ref !== undefined) {
      metrics.addMetric('SnapshotSize', MetricUnit.Bytes, ref.bytes);
      metrics.addMetric('SnapshotAge', MetricUnit.Seconds, 0);
    }
    metrics.publishStoredMetrics();
    logger.info('compacted', { snapshot: ref?.name, bytes: ref?.bytes, keys: ref?.keys, deleted, graceMs });
    return { snapshot: ref?.name, bytes: ref?.bytes, deleted };
  } catch (err) {
    discardRuntime();
    throw err;
  }
}
