/**
 * The service made durable: opens the store named by the configuration (a local directory or s3://bucket/prefix),
 * restores the engine from it, logs every write through a WriteLog, snapshots by Redis-style save rules, on
 * demand (SAVE/BGSAVE) and at shutdown, and makes index ingestion acknowledge only durable batches.
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
import type { BlobStore } from '../persistence/blob-store';
import { Durable, type RestoreProgress, type RestoreResult } from '../persistence/durable';
import { FsBlobStore } from '../persistence/fs-store';
import type { SnapshotRef } from '../persistence/manifest';
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
  where: { dataDir?: string; store?: string },
  log: (line: string) => void,
): Promise<BlobStore | undefined> {
  if (where.store !== undefined && where.store !== '') {
    const s3 = await S3BlobStore.open(parseS3Url(where.store));
    if (!s3.fenced) log(`${s3.probeResult}; run only one server on this store`);
    return s3;
  }
  if (where.dataDir === undefined || where.dataDir === '') return undefined;
  return FsBlobStore.open(where.dataDir);
}

export class Persistence {
  readonly writeLog: WriteLog;
  private saveTimer: NodeJS.Timeout | undefined;
  /** engine.dirty at the last snapshot, and when it was taken (ms) */
  private dirtyAtSave: number;
  lastSave: number;
  lastSaveOk = true;
  lastSaveSeconds = -1;
  private saving: Promise<SnapshotRef | undefined> | undefined;
  private savingSince = 0;

  private constructor(
    readonly engine: Engine,
    readonly durable: Durable,
    readonly restored: RestoreResult,
    private readonly opts: PersistenceOptions,
  ) {
    this.writeLog = new WriteLog(durable, engine, {
      policy: opts.policy,
      log: opts.log,
      onFenced: () => opts.onFenced?.(),
    });
    this.dirtyAtSave = engine.dirty;
    this.lastSave = Date.now();
  }

  /** Restores `engine` (empty) from the store and starts logging its writes. */
  static async open(engine: Engine, opts: PersistenceOptions): Promise<Persistence> {
    const { durable, restored } = await Durable.open(
      engine,
      { store: opts.store, weights: INDEX_WEIGHTS, log: opts.log },
      opts.onProgress,
    );
    const p = new Persistence(engine, durable, restored, opts);
    p.writeLog.start();
    if (opts.saveRules.length > 0) {
      p.saveTimer = setInterval(() => p.checkSaveRules(), 1000);
      p.saveTimer.unref();
    }
    return p;
  }

  private checkSaveRules(): void {
    if (this.saving !== undefined) return;
    const changes = this.engine.dirty - this.dirtyAtSave;
    const elapsed = (Date.now() - this.lastSave) / 1000;
    if (this.opts.saveRules.some((r) => changes >= r.changes && elapsed >= r.seconds)) {
      this.opts.log(`${changes} changes in ${Math.round(elapsed)} seconds. Saving...`);
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
    const dirty = this.engine.dirty;
    this.savingSince = Date.now();
    const run = this.writeLog
      .snapshot({ server: 's3-index' })
      .then(
        (ref) => {
          this.dirtyAtSave = dirty;
          this.lastSave = Date.now();
          this.lastSaveOk = true;
          // blobs the new manifest no longer names go once past the grace period (a reader may be loading them)
          this.durable
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
    return () => (this.writeLog.mustFlush ? this.writeLog.flush() : undefined);
  }

  /** INFO persistence fields (Redis's names where they mean the same). */
  info(): Array<[string, string | number]> {
    return [
      ['rdb_changes_since_last_save', this.engine.dirty - this.dirtyAtSave],
      ['rdb_bgsave_in_progress', this.saving !== undefined ? 1 : 0],
      ['rdb_last_save_time', Math.floor(this.lastSave / 1000)],
      ['rdb_last_bgsave_status', this.lastSaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastSaveSeconds],
      ['aof_enabled', 1],
      ['aof_last_write_status', this.writeLog.lastCommitError === undefined ? 'ok' : 'err'],
      ['s3index_store', this.durable.store.description],
      ['s3index_store_fenced', this.durable.store.fenced ? 1 : 0],
      ['s3index_appendfsync', this.writeLog.policy],
      ['s3index_log_seq', this.durable.appliedSeq],
      ['s3index_log_committed_seq', this.durable.committedSeq],
      ['s3index_log_backlog', this.writeLog.backlog],
      ['s3index_restored_keys', this.restored.keys],
      ['s3index_restore_ms', Math.round(this.restored.ms)],
    ];
  }

  /** Flushes the log and writes a final snapshot (shutdown). */
  async close(opts: { snapshot?: boolean } = {}): Promise<void> {
    if (this.saveTimer !== undefined) clearInterval(this.saveTimer);
    try {
      await this.writeLog.flush();
      if (opts.snapshot !== false) await (this.saving ?? this.bgsave());
    } finally {
      this.writeLog.stop();
    }
  }

  /** The index as the service's routes use it, with ingestion acknowledged only once durable. */
  durableIndex(index: S3Index): ObjectIndex {
    return new DurableIndex(index, this.writeLog);
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
    private readonly writeLog: WriteLog,
  ) {}

  async ingest(input: unknown): Promise<IngestOutcome> {
    const engine = this.inner.engine;
    const db = this.inner.dbIndex;
    const now = engine.clock.now();
    this.writeLog.before(db, undefined);
    const dirty = engine.dirty;
    const outcome = ingest({ db: engine.dbs[db]!, now }, input, { limits: this.inner.limits });
    if (engine.dirty !== dirty) {
      const text = Buffer.isBuffer(input)
        ? input
        : Buffer.from(typeof input === 'string' ? input : JSON.stringify(input));
      this.writeLog.after(db, [INGEST, text], now);
    }
    try {
      await this.writeLog.flush();
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
