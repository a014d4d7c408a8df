/**
 * The state a Lambda container keeps between invocations: the engine, the index and, when `S3_INDEX_STORE` names a
 * store (s3://bucket/prefix, AWS_ENDPOINT_URL_S3 honoured; or file:DIR, see storeLocation), the Persistence
 * restored from it. Opened lazily,
 * once per container (a module-scope promise); after a commit conflict or a store failure the container drops it
 * (`discardRuntime`) and the next invocation restores afresh, on top of whatever the winning writer committed.
 *
 * With S3_INDEX_REDIS_URL (and S3_INDEX_REDIS_CLUSTER) the index and the cache live in that Redis, Valkey or
 * ElastiCache server instead (src/service/external-index.ts; the function in the VPC of the cluster): no store, no
 * restore; the engine only lends its command table to /redis.
 *
 * Logs go through Powertools Logger (structured JSON; never tokens or event bodies), metrics through Powertools
 * Metrics (EMF), under POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { describeRedisTarget, parseRedisUrl } from '../config';
import { systemClock } from '../engine/clock';
import type { Engine } from '../engine/engine';
import type { Reply } from '../engine/reply';
import type { BlobStore } from '../persistence/blob-store';
import { parseS3Url, S3BlobStore } from '../persistence/s3-store';
import { createEngine } from '../service/create-engine';
import type { ObjectIndex } from '../service/object-index';
import { openStore, Persistence } from '../service/persistence';
import type { RemoteRedis } from '../service/remote-redis';
import { S3Index } from '../service/s3-index';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 's3-index' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 's3-index',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 's3-index',
});

export interface Runtime {
  engine: Engine;
  index: S3Index;
  /** the index the routes use: ingestion answered once durable when there is a store */
  objectIndex: ObjectIndex;
  /** absent without S3_INDEX_STORE (local use: memory only) */
  persistence: Persistence | undefined;
  /** when the manifest was last read (ms) */
  lastRefresh: number;
  /** with S3_INDEX_REDIS_URL: where commands run (S3IDX.* on the index there, the rest on the server) */
  remote: RemoteRedis | undefined;
  /** with S3_INDEX_REDIS_URL: closes the connections */
  close?: () => void;
}

/** One command on the runtime's index: the bundled engine's, or the external server's. */
export async function runCommand(rt: Runtime, argv: Buffer[]): Promise<Reply> {
  if (rt.remote !== undefined) return (await rt.remote.run([argv], false))[0]!;
  return rt.engine.execute(argv, { id: 0, db: rt.index.dbIndex, resp: 2 });
}

let opening: Promise<Runtime> | undefined;
/** where the store comes from: S3_INDEX_STORE, unless a test hands this container a store of its own */
let storeSource: (() => Promise<BlobStore | undefined>) | undefined;

/**
 * Makes this container open `store` instead of S3_INDEX_STORE (tests: a MemoryBlobStore shared by two containers
 * enforces the conditional writes s3rver lacks). Call before the first invocation.
 */
export function useStore(store: BlobStore): void {
  storeSource = async () => store;
}

/** The container's runtime, opened (and restored) on first use. */
export function runtime(): Promise<Runtime> {
  if (opening === undefined) {
    opening = openRuntime().catch((err) => {
      opening = undefined;
      throw err;
    });
  }
  return opening;
}

/**
 * Forgets the runtime (its engine may be ahead of, or beside, the store): the next use restores afresh. The promise
 * settles once the old one is closed (callers need not wait).
 */
export function discardRuntime(): Promise<void> {
  const old = opening;
  opening = undefined;
  return (old ?? Promise.resolve(undefined))
    .then((rt) => {
      rt?.close?.();
      return rt?.persistence?.close({ snapshot: false });
    })
    .catch(() => undefined);
}

/** The store of S3_INDEX_STORE (or the one a test handed over), without restoring anything from it. */
export function blobStore(): Promise<BlobStore | undefined> {
  const log = (line: string) => logger.info(line);
  return storeSource !== undefined ? storeSource() : openLambdaStore(process.env.S3_INDEX_STORE, log);
}

async function openRuntime(): Promise<Runtime> {
  const engine = createEngine({ clock: systemClock });
  const index = new S3Index(engine);
  const redisUrl = await redisUrlOf(process.env);
  if (redisUrl !== undefined) {
    const { openExternalIndex } = await import('../service/external-index');
    const target = parseRedisUrl(redisUrl, (process.env.S3_INDEX_REDIS_CLUSTER ?? 'false') === 'true');
    const external = await openExternalIndex(target);
    logger.info('the object index lives in an external Redis', { redis: describeRedisTarget(target) });
    return {
      engine,
      index,
      objectIndex: external.index,
      persistence: undefined,
      lastRefresh: 0,
      remote: external.remote,
      close: external.close,
    };
  }
  const store = await blobStore();
  const log = (line: string) => logger.info(line);
  if (store === undefined)
    return { engine, index, objectIndex: index, persistence: undefined, lastRefresh: 0, remote: undefined };
  const started = Date.now();
  let lastLog = 0;
  const persistence = await Persistence.open(engine, {
    store,
    // every acknowledgement waits for its commit: ingest flushes once per batch, /v1/events and /redis writes
    // before their answer (the app's durability barrier); a frozen container loses nothing it acknowledged
    policy: 'always',
    saveRules: [],
    log,
    onProgress: (p) => {
      if (Date.now() - lastLog < 1000) return;
      lastLog = Date.now();
      logger.info('restoring', { phase: p.phase, bytes: p.bytes, totalBytes: p.totalBytes, batches: p.batches });
    },
  });
  const ms = Date.now() - started;
  const restored = persistence.restored;
  logger.info('restored', { store: store.description, keys: restored.keys, seq: restored.seq, ms });
  metrics.addMetric('RestoreTime', MetricUnit.Milliseconds, ms);
  const snap = persistence.durable.current.snapshot;
  if (snap !== null) {
    metrics.addMetric('SnapshotSize', MetricUnit.Bytes, snap.bytes);
    metrics.addMetric('SnapshotAge', MetricUnit.Seconds, Math.max(0, (Date.now() - snap.createdAt) / 1000));
  }
  return {
    engine,
    index,
    objectIndex: persistence.durableIndex(index),
    persistence,
    lastRefresh: Date.now(),
    remote: undefined,
  };
}

/**
 * The external Redis's URL: S3_INDEX_REDIS_URL_PARAM names an SSM SecureString holding it (the deployment: the URL
 * carries the password, kept out of the function's configuration), or S3_INDEX_REDIS_URL is the URL itself (local use,
 * tests); undefined for the bundled engine.
 */
async function redisUrlOf(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const param = env.S3_INDEX_REDIS_URL_PARAM;
  if (param !== undefined && param !== '') {
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    const value = await getParameter(param, { decrypt: true, maxAge: 300 });
    if (value === undefined || value.trim() === '') throw new Error(`the SSM parameter ${param} holds no Redis URL`);
    return value.trim();
  }
  const url = env.S3_INDEX_REDIS_URL;
  return url !== undefined && url !== '' ? url : undefined;
}

/**
 * The store of S3_INDEX_STORE. On AWS S3 itself (no AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) the open-time probe of
 * conditional writes is skipped: S3 enforces them, and the probe's three requests would lengthen every cold start.
 */
async function openLambdaStore(where: string | undefined, log: (line: string) => void): Promise<BlobStore | undefined> {
  const location = storeLocation(where);
  const custom = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  if (location.store !== undefined && (custom === undefined || custom === ''))
    return S3BlobStore.open({ ...parseS3Url(location.store), knownFenced: true });
  return openStore(location, log);
}

/**
 * Where S3_INDEX_STORE points: `s3://bucket/prefix` (the deployment), `file:DIR` (a local directory: serverless
 * offline, `invoke local`), or `memory:` / unset (nothing kept).
 */
export function storeLocation(where: string | undefined): { store?: string; dataDir?: string } {
  if (where === undefined || where === '' || where === 'memory:') return {};
  if (where.startsWith('s3://')) return { store: where };
  if (where.startsWith('file:')) {
    const dir = where.startsWith('file://') ? new URL(where).pathname : where.slice('file:'.length);
    if (dir !== '') return { dataDir: dir };
  }
  throw new Error(`S3_INDEX_STORE must be s3://bucket/prefix, file:DIR or memory: (got ${JSON.stringify(where)})`);
}

let sourceClient: import('@aws-sdk/client-s3').S3Client | undefined;
/**
 * The container's client for the indexed buckets (backfill, reconcile): the standard credential chain, path-style
 * when AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL names an S3-compatible server.
 */
export function sourceS3Client(): import('@aws-sdk/client-s3').S3Client {
  if (sourceClient === undefined) {
    const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    sourceClient = new S3Client({ forcePathStyle: endpoint !== undefined && endpoint !== '' });
  }
  return sourceClient;
}

/** The refresh period of readers (S3_INDEX_REFRESH_MS, default 1000). */
export function refreshPeriodMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.S3_INDEX_REFRESH_MS ?? '1000');
  return Number.isFinite(v) && v >= 0 ? v : 1000;
}

/**
 * Applies the segments committed since the last look, at most every `refreshPeriodMs` (a conditional GET of the
 * manifest). Returns the runtime to use: a new one when the store had to be reloaded (a snapshot replaced the
 * segments this engine would need).
 */
export async function refreshed(): Promise<Runtime> {
  const rt = await runtime();
  const p = rt.persistence;
  const now = Date.now();
  if (p === undefined || now - rt.lastRefresh < refreshPeriodMs()) return rt;
  rt.lastRefresh = now;
  const before = p.durable.appliedSeq;
  const result = await p.durable.refresh(rt.engine);
  if (result === 'reload') {
    discardRuntime();
    return runtime();
  }
  if (result === 'updated') {
    metrics.addMetric('RefreshLag', MetricUnit.Milliseconds, Math.max(0, now - p.durable.current.updatedAt));
    logger.debug('refreshed', { from: before, to: p.durable.appliedSeq });
  }
  return rt;
}
