/**
 * The service made durable: opens the store named by the configuration (a local directory or s3://bucket/prefix),
 * restores the engine from it, logs every write through a WriteLog, snapshots by Redis-style save rules, when the
 * log has grown past a share of the snapshot or past a number of segments (Redis's auto-aof-rewrite), on demand
 * (SAVE/BGSAVE) and at shutdown, and makes index ingestion acknowledge only durable batches.
 *
 * A server listens while it restores (`create`, then `restore`): `loading` and `loadingReport` say how far it got,
 * and the front ends answer LOADING until it is done. Nothing of the store's state is visible before then: Durable
 * loads into new databases and swaps them in whole.
 *
 * Guarantees, by route (the README's durability contract):
 * - ingest (POST /v1/events, `s3-index ingest`, S3IDX.INGEST over RESP and /redis): answered once the batch is
 *   committed to the store;
 * - cache writes over RESP and /redis: by `appendfsync` — always (the log is flushed before the reply), everysec
 *   (at most about a second lost on a crash), no (flushed every 30 s).
 */
import type { Engine } from '../engine/engine';
import type { ListLimits, ListOptions, PageBounds, RawListOptions, RowMaker } from '../index/list';
import { payloadSize } from '../index/payload';
import { notPlainKey } from '../index/plain-keys';
import { ingest } from '../ingest/apply';
import type { IngestOutcome } from '../ingest/types';
import { type BlobStore, StoreError } from '../persistence/blob-store';
import { Durable, type RestoreProgress, type RestoreResult } from '../persistence/durable';
import { FsBlobStore } from '../persistence/fs-store';
import type { Manifest, SnapshotRef } from '../persistence/manifest';
import { parseS3Url, S3BlobStore } from '../persistence/s3-store';
import type { SaveRule } from '../persistence/save-rules';
import { WeightFunctions } from '../persistence/weights';
import { type FsyncPolicy, WriteLog } from '../persistence/write-log';
import { type IndexChange, IndexUnavailable, type ObjectIndex } from './object-index';
import type { S3Index } from './s3-index';

/**
 * The weight functions of the index's sorted sets, by the names snapshots store (never rename one), with the
 * KeyClassifier the index builds those sets with (src/index/store.ts), so a restored set lists as fast as before.
 */
export const INDEX_WEIGHTS = new WeightFunctions({ 's3idx.size': { weightOf: payloadSize, classifier: notPlainKey } });

export interface PersistenceOptions {
  store: BlobStore;
  policy: FsyncPolicy;
  saveRules: readonly SaveRule[];
  /** snapshots the log's growth calls for (Redis's auto-aof-rewrite); absent: none */
  autoSnapshot?: AutoSnapshotRule;
  log: (line: string) => void;
  onProgress?: (p: RestoreProgress) => void;
  /** when another writer takes over the store */
  onFenced?: () => void;
}

/**
 * Opens the store the configuration names: `store` (s3://bucket/prefix; credentials from the AWS chain,
 * AWS_ENDPOINT_URL_S3 for S3-compatible servers) or else the directory `dataDir`; undefined for neither. An S3
 * store that does not enforce conditional writes is said so in one line: the service then runs as its only writer.
 */
export async function openStore(
  where: { dataDir?: string; store?: string; s3Endpoint?: string; s3PathStyle?: boolean },
  log: (line: string) => void,
): Promise<BlobStore | undefined> {
  if (where.store !== undefined && where.store !== '') {
    const s3 = await S3BlobStore.open({
      ...parseS3Url(where.store),
      endpoint: where.s3Endpoint,
      forcePathStyle: where.s3PathStyle,
    });
    if (!s3.fenced) log(`${s3.probeResult}; run only one server on this store`);
    return s3;
  }
  if (where.dataDir === undefined || where.dataDir === '') return undefined;
  return FsBlobStore.open(where.dataDir);
}

/**
 * Refuses to write into a data directory a running server uses (FsBlobStore.servers): the server would be fenced off
 * at its next commit and stop. `what` names the command ("import"). S3 stores carry no marks (writers there are
 * fenced by conditional writes alone).
 */
export async function refuseIfServed(store: BlobStore | undefined, what: string): Promise<void> {
  if (!(store instanceof FsBlobStore)) return;
  const servers = await store.servers();
  if (servers.length === 0) return;
  throw new StoreError(
    `${store.root} is in use by a running server (${servers.join(', ')}): ${what} would fence it off and it would stop; ` +
      'stop that server first (a server killed without stopping is detected and ignored)',
  );
}

/**
 * When the log since the last snapshot calls for a new one, as Redis's auto-aof-rewrite-percentage and
 * auto-aof-rewrite-min-size do for the AOF, plus a bound on the segments a restore would have to read one by one.
 */
export interface AutoSnapshotRule {
  /** the log's bytes, as a percentage of the snapshot's, from which to snapshot; 0: never by size */
  percentage: number;
  /** ... once the log is larger than this too (bytes) */
  minSize: number;
  /** or once the manifest names more log segments than this; 0: no bound */
  maxSegments: number;
}

/** Redis's auto-aof-rewrite defaults (100 %, 64mb), and at most 1000 segments to replay. */
export const DEFAULT_AUTO_SNAPSHOT: AutoSnapshotRule = Object.freeze({
  percentage: 100,
  minSize: 64 * 1024 * 1024,
  maxSegments: 1000,
});

/** The log's size since the snapshot (committed segments only) and the snapshot's, from the manifest. */
export function logSizes(m: Pick<Manifest, 'snapshot' | 'segments'>): {
  logBytes: number;
  baseBytes: number;
  segments: number;
} {
  let logBytes = 0;
  for (const s of m.segments) logBytes += s.bytes;
  return { logBytes, baseBytes: m.snapshot?.bytes ?? 0, segments: m.segments.length };
}

/**
 * Why the log calls for a snapshot, in words for the operator's log, or undefined when it does not. Like Redis's
 * AOF growth test: the log must exceed `minSize` and have grown by `percentage` % of the snapshot (any growth counts
 * when there is no snapshot yet); or the manifest must name more than `maxSegments` segments.
 */
export function autoSnapshotReason(
  m: Pick<Manifest, 'snapshot' | 'segments'>,
  rule: AutoSnapshotRule,
): string | undefined {
  const { logBytes, baseBytes, segments } = logSizes(m);
  if (rule.percentage > 0 && logBytes > rule.minSize) {
    if (baseBytes === 0) return `the log holds ${humanBytes(logBytes)} and there is no snapshot yet`;
    const growth = Math.floor((logBytes * 100) / baseBytes);
    if (growth >= rule.percentage)
      return `the log holds ${humanBytes(logBytes)}, ${growth}% of the snapshot's ${humanBytes(baseBytes)}`;
  }
  if (rule.maxSegments > 0 && segments > rule.maxSegments)
    return `the log has ${segments} segments, more than ${rule.maxSegments}`;
  return undefined;
}

/** 1.5 KB, 70.3 MB: a size for the log line. */
function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A failed snapshot is retried by the rules no sooner than this (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
const SAVE_RETRY_DELAY_MS = 5000;

/** Where a restore stands, for INFO persistence (loading_*) and GET /healthz while the service loads. */
export interface LoadingReport {
  /** the snapshot is decoded first, then the log segments after it are replayed */
  phase: 'snapshot' | 'log';
  /** ms since the epoch */
  startedAt: number;
  /** the snapshot's bytes (the log's size is not known ahead) */
  totalBytes: number;
  loadedBytes: number;
  /** 0-100, as Redis computes it */
  loadedPerc: number;
  /** Redis's estimate: 1 within the first second, then elapsed × remaining ÷ loaded */
  etaSeconds: number;
  batchesReplayed: number;
}

/** Redis's loading_eta_seconds and loading_loaded_perc (rdbLoad progress in server.c's INFO). */
export function loadingReport(p: RestoreProgress | undefined, startedAt: number, now: number): LoadingReport {
  const totalBytes = p?.totalBytes ?? 0;
  const loadedBytes = p === undefined ? 0 : p.phase === 'log' ? totalBytes : p.bytes;
  const elapsed = Math.floor((now - startedAt) / 1000);
  const remaining = Math.max(0, totalBytes - loadedBytes);
  return {
    phase: p?.phase ?? 'snapshot',
    startedAt,
    totalBytes,
    loadedBytes,
    loadedPerc: Math.round((loadedBytes / (totalBytes + 1)) * 10_000) / 100,
    etaSeconds: elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (loadedBytes + 1)),
    batchesReplayed: p?.batches ?? 0,
  };
}

/**
 * The engine made durable. Made in two steps so that a server can listen while it loads: `create` (nothing read
 * yet: `loading` is true, the write log does not exist), then `restore` (the store's state into the engine, then
 * the write log and the snapshot rules start). `open` does both.
 */
export class Persistence {
  private loaded: { durable: Durable; writeLog: WriteLog; restored: RestoreResult } | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** engine.dirty at the last snapshot, and when it was taken (ms) */
  private dirtyAtSave: number;
  lastSave: number;
  lastSaveOk = true;
  lastSaveSeconds = -1;
  /** when the last snapshot was started (ms), for the retry delay after a failure */
  private lastSaveTry = 0;
  private saving: Promise<SnapshotRef | undefined> | undefined;
  private savingSince = 0;
  private restoring = false;
  private readonly loadingSince = Date.now();
  private progress: RestoreProgress | undefined;

  private constructor(
    readonly engine: Engine,
    private readonly opts: PersistenceOptions,
  ) {
    this.dirtyAtSave = engine.dirty;
    this.lastSave = Date.now();
  }

  /** A Persistence for `engine` that has read nothing yet (`loading` until `restore` resolves). */
  static create(engine: Engine, opts: PersistenceOptions): Persistence {
    return new Persistence(engine, opts);
  }

  /** Restores `engine` (empty) from the store and starts logging its writes. */
  static async open(engine: Engine, opts: PersistenceOptions): Promise<Persistence> {
    const p = new Persistence(engine, opts);
    await p.restore();
    return p;
  }

  /**
   * Loads the store's committed state into the engine (its databases are replaced only once all of it is loaded),
   * then installs the write log and starts the snapshot rules. Rejects with CorruptError or StoreError as
   * Durable.open does; the engine is then left empty and nothing was written.
   */
  async restore(): Promise<RestoreResult> {
    if (this.restoring || this.loaded !== undefined) throw new Error('Persistence.restore called twice');
    this.restoring = true;
    const { durable, restored } = await Durable.open(
      this.engine,
      { store: this.opts.store, weights: INDEX_WEIGHTS, log: this.opts.log },
      (p) => {
        this.progress = p;
        this.opts.onProgress?.(p);
      },
    );
    const writeLog = new WriteLog(durable, this.engine, {
      policy: this.opts.policy,
      log: this.opts.log,
      onFenced: () => this.opts.onFenced?.(),
    });
    this.loaded = { durable, writeLog, restored };
    // the restore moved `dirty` (the databases were swapped in): that is not a change to save
    this.dirtyAtSave = this.engine.dirty;
    this.lastSave = Date.now();
    writeLog.start();
    const auto = this.opts.autoSnapshot;
    if (this.opts.saveRules.length > 0 || (auto !== undefined && (auto.percentage > 0 || auto.maxSegments > 0))) {
      this.saveTimer = setInterval(() => this.checkSaveRules(), 1000);
      this.saveTimer.unref();
    }
    return restored;
  }

  /** The store, as an operator names it (a directory, s3://bucket/prefix). */
  get storeDescription(): string {
    return this.opts.store.description;
  }

  /** True until `restore` has loaded the store's state. */
  get loading(): boolean {
    return this.loaded === undefined;
  }

  /** Where the restore stands (meaningful while `loading`). */
  loadingReport(now = Date.now()): LoadingReport {
    return loadingReport(this.progress, this.loadingSince, now);
  }

  private get ready(): { durable: Durable; writeLog: WriteLog; restored: RestoreResult } {
    if (this.loaded === undefined) throw new Error('the store has not been restored yet');
    return this.loaded;
  }

  get durable(): Durable {
    return this.ready.durable;
  }

  get writeLog(): WriteLog {
    return this.ready.writeLog;
  }

  get restored(): RestoreResult {
    return this.ready.restored;
  }

  /** The save rules and the log-size rule, checked every second; at most one snapshot runs at a time. */
  private checkSaveRules(): void {
    if (this.saving !== undefined || this.loaded === undefined) return;
    const now = Date.now();
    if (!this.lastSaveOk && now - this.lastSaveTry < SAVE_RETRY_DELAY_MS) return;
    const changes = this.engine.dirty - this.dirtyAtSave;
    const elapsed = (now - this.lastSave) / 1000;
    if (this.opts.saveRules.some((r) => changes >= r.changes && elapsed >= r.seconds)) {
      this.opts.log(`${changes} changes in ${Math.round(elapsed)} seconds. Saving...`);
      this.bgsave().catch(() => undefined);
      return;
    }
    const why = this.opts.autoSnapshot && autoSnapshotReason(this.loaded.durable.current, this.opts.autoSnapshot);
    if (why) {
      this.opts.log(`${why}: saving a snapshot to fold it in`);
      this.bgsave().catch(() => undefined);
    }
  }

  /** True while a snapshot is written. */
  get saveInProgress(): boolean {
    return this.saving !== undefined;
  }

  /** Starts a snapshot unless one runs; resolves when it is committed (the one running, if any). */
  bgsave(): Promise<SnapshotRef | undefined> {
    if (this.saving !== undefined) return this.saving;
    if (this.loaded === undefined) return Promise.reject(new Error('the dataset is still loading'));
    const { writeLog, durable } = this.loaded;
    const dirty = this.engine.dirty;
    this.savingSince = Date.now();
    this.lastSaveTry = this.savingSince;
    const run = writeLog
      .snapshot({ server: 's3-index' })
      .then(
        (ref) => {
          this.dirtyAtSave = dirty;
          this.lastSave = Date.now();
          this.lastSaveOk = true;
          // blobs the new manifest no longer names go once past the grace period (a reader may be loading them)
          durable
            .collectGarbage()
            .catch((err: unknown) => this.opts.log(`garbage collection: ${(err as Error).message}`));
          return ref;
        },
        (err) => {
          this.lastSaveOk = false;
          this.opts.log(`snapshot failed: ${(err as Error).message}`);
          throw err;
        },
      )
      .finally(() => {
        this.lastSaveSeconds = Math.round((Date.now() - this.savingSince) / 1000);
        this.saving = undefined;
      });
    this.saving = run;
    return run;
  }

  /**
   * For the RESP server and /redis: the promise that the writes a reply may tell of are durable, or undefined when
   * the reply need not wait (see WriteLog.mustFlush: every write with `always`, index batches with any policy).
   */
  durabilityBarrier(): () => Promise<void> | undefined {
    return () => {
      const writeLog = this.loaded?.writeLog;
      return writeLog?.mustFlush ? writeLog.flush() : undefined;
    };
  }

  /**
   * INFO persistence fields (Redis's names where they mean the same). A snapshot is also what folds the log, so
   * the aof_rewrite_* fields follow it; aof_current_size is the snapshot and the log after it, aof_base_size the
   * snapshot. While loading, Redis's loading_* fields (its loading_rdb_used_mem has no counterpart here).
   */
  info(now = Date.now()): Array<[string, string | number]> {
    const fields: Array<[string, string | number]> = [
      ['loading', this.loading ? 1 : 0],
      ['rdb_changes_since_last_save', this.engine.dirty - this.dirtyAtSave],
      ['rdb_bgsave_in_progress', this.saving !== undefined ? 1 : 0],
      ['rdb_last_save_time', Math.floor(this.lastSave / 1000)],
      ['rdb_last_bgsave_status', this.lastSaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastSaveSeconds],
      ['rdb_current_bgsave_time_sec', this.saving !== undefined ? Math.floor((now - this.savingSince) / 1000) : -1],
      ['aof_enabled', 1],
      ['aof_rewrite_in_progress', this.saving !== undefined ? 1 : 0],
      ['aof_last_bgrewrite_status', this.lastSaveOk ? 'ok' : 'err'],
    ];
    const loaded = this.loaded;
    if (loaded === undefined) {
      const r = this.loadingReport(now);
      fields.push(
        ['loading_start_time', Math.floor(r.startedAt / 1000)],
        ['loading_total_bytes', r.totalBytes],
        ['loading_loaded_bytes', r.loadedBytes],
        ['loading_loaded_perc', r.loadedPerc.toFixed(2)],
        ['loading_eta_seconds', r.etaSeconds],
        ['s3index_store', this.opts.store.description],
        ['s3index_loading_phase', r.phase],
        ['s3index_loading_batches_replayed', r.batchesReplayed],
      );
      return fields;
    }
    const { durable, writeLog, restored } = loaded;
    const sizes = logSizes(durable.current);
    fields.push(
      ['aof_last_write_status', writeLog.lastCommitError === undefined ? 'ok' : 'err'],
      ['aof_current_size', sizes.baseBytes + sizes.logBytes],
      ['aof_base_size', sizes.baseBytes],
      ['s3index_store', durable.store.description],
      ['s3index_store_fenced', durable.store.fenced ? 1 : 0],
      ['s3index_appendfsync', writeLog.policy],
      ['s3index_log_seq', durable.appliedSeq],
      ['s3index_log_committed_seq', durable.committedSeq],
      ['s3index_log_backlog', writeLog.backlog],
      ['s3index_log_segments', sizes.segments],
      ['s3index_log_bytes', sizes.logBytes],
      ['s3index_restored_keys', restored.keys],
      ['s3index_restore_ms', Math.round(restored.ms)],
    );
    return fields;
  }

  /** Flushes the log and writes a final snapshot (shutdown); nothing to do before the restore. */
  async close(opts: { snapshot?: boolean } = {}): Promise<void> {
    if (this.saveTimer !== undefined) clearInterval(this.saveTimer);
    const loaded = this.loaded;
    if (loaded === undefined) return;
    try {
      await loaded.writeLog.flush();
      if (opts.snapshot !== false) await (this.saving ?? this.bgsave());
    } finally {
      loaded.writeLog.stop();
    }
  }

  /**
   * The index as the service's routes use it, with ingestion acknowledged only once durable. It may be made before
   * the restore; it must not ingest until then (the front ends answer LOADING meanwhile).
   */
  durableIndex(index: S3Index): ObjectIndex {
    return new DurableIndex(index, this);
  }
}

const INGEST = Buffer.from('S3IDX.INGEST', 'latin1');

/**
 * The engine's index with durable ingestion: a batch is applied (and visible) at once, logged as the S3IDX.INGEST
 * command it is equivalent to, and answered once its log segment is committed.
 */
class DurableIndex implements ObjectIndex {
  constructor(
    private readonly inner: S3Index,
    private readonly persistence: Persistence,
  ) {}

  async ingest(input: unknown): Promise<IngestOutcome> {
    if (this.persistence.loading) throw new IndexUnavailable('the index is loading');
    const writeLog = this.persistence.writeLog;
    const engine = this.inner.engine;
    const db = this.inner.dbIndex;
    const now = engine.clock.now();
    writeLog.before(db, undefined);
    const dirty = engine.dirty;
    const outcome = ingest({ db: engine.dbs[db]!, now }, input, { limits: this.inner.limits });
    if (engine.dirty !== dirty) {
      const text = Buffer.isBuffer(input)
        ? input
        : Buffer.from(typeof input === 'string' ? input : JSON.stringify(input));
      writeLog.after(db, [INGEST, text], now);
    }
    try {
      await writeLog.flush();
    } catch (err) {
      throw new IndexUnavailable(`the batch was applied but could not be made durable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return outcome;
  }

  listObjectsV2(bucket: string, opts?: ListOptions, limits?: ListLimits, bounds?: PageBounds) {
    return this.inner.listObjectsV2(bucket, opts, limits, bounds);
  }
  listRaw<T>(bucket: string, opts: RawListOptions, makeRow: RowMaker<T>, bounds?: PageBounds) {
    return this.inner.listRaw(bucket, opts, makeRow, bounds);
  }
  head(bucket: string, key: string) {
    return this.inner.head(bucket, key);
  }
  version(bucket: string, key: string, versionId?: string) {
    return this.inner.version(bucket, key, versionId);
  }
  stats(bucket: string, prefix?: string) {
    return this.inner.stats(bucket, prefix);
  }
  listBuckets() {
    return this.inner.listBuckets();
  }
  bucketExists(bucket: string) {
    return this.inner.bucketExists(bucket);
  }
  onChange(listener: (change: IndexChange) => void) {
    return this.inner.onChange(listener);
  }
}
