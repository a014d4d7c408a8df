/**
 * Persistence's snapshot triggers and its loading state: the log-size rule (Redis's auto-aof-rewrite: the log past a
 * percentage of the snapshot and a minimum size, or past a number of segments) as a pure function and running on
 * its timer, the INFO persistence fields that report it, and what a Persistence says and refuses before `restore`.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadServeConfig } from '../../src/config';
import type { Engine } from '../../src/engine/engine';
import type { BlobStore } from '../../src/persistence/blob-store';
import { MANIFEST, type Manifest } from '../../src/persistence/manifest';
import { MemoryBlobStore } from '../../src/persistence/memory-store';
import { createEngine } from '../../src/service/create-engine';
import { IndexUnavailable } from '../../src/service/object-index';
import { type AutoSnapshotRule, autoSnapshotReason, loadingReport, Persistence } from '../../src/service/persistence';
import { S3Index } from '../../src/service/s3-index';

const seg = (i: number, bytes: number) => ({ name: `log/${i}`, first: i, last: i, bytes });
const manifest = (
  snapshotBytes: number | undefined,
  segmentBytes: number[],
): Pick<Manifest, 'snapshot' | 'segments'> => ({
  snapshot:
    snapshotBytes === undefined
      ? null
      : { name: 'snapshots/0', logSeq: 0, bytes: snapshotBytes, keys: 1, createdAt: 0 },
  segments: segmentBytes.map((b, i) => seg(i + 1, b)),
});
const rule = (r: Partial<AutoSnapshotRule> = {}): AutoSnapshotRule => ({
  percentage: 100,
  minSize: 1000,
  maxSegments: 0,
  ...r,
});

describe('autoSnapshotReason', () => {
  it('asks for a snapshot once the log is past the minimum size and has grown by the percentage', () => {
    expect(autoSnapshotReason(manifest(2000, []), rule())).toBeUndefined();
    // 1999 bytes of log on a 2000-byte snapshot: 99 %
    expect(autoSnapshotReason(manifest(2000, [1000, 999]), rule())).toBeUndefined();
    expect(autoSnapshotReason(manifest(2000, [1000, 1000]), rule())).toBe(
      "the log holds 2.0 KB, 100% of the snapshot's 2.0 KB",
    );
    expect(autoSnapshotReason(manifest(2000, [1000, 1000]), rule({ percentage: 150 }))).toBeUndefined();
    expect(autoSnapshotReason(manifest(100, [600, 600]), rule({ percentage: 1000 }))).toMatch(/1200%/);
  });

  it('needs the log larger than the minimum size, even without a snapshot', () => {
    expect(autoSnapshotReason(manifest(10, [500, 500]), rule())).toBeUndefined(); // 1000 is not > 1000
    expect(autoSnapshotReason(manifest(10, [500, 501]), rule())).toMatch(/10010%/);
    expect(autoSnapshotReason(manifest(undefined, [1000]), rule())).toBeUndefined();
    expect(autoSnapshotReason(manifest(undefined, [1001]), rule())).toBe(
      'the log holds 1001 B and there is no snapshot yet',
    );
    expect(autoSnapshotReason(manifest(undefined, [70 * 1024 * 1024]), rule())).toBe(
      'the log holds 70.0 MB and there is no snapshot yet',
    );
  });

  it('percentage 0 turns the size rule off; maxSegments bounds the segments (0: no bound)', () => {
    expect(autoSnapshotReason(manifest(1, [1e9]), rule({ percentage: 0 }))).toBeUndefined();
    const many = manifest(1e9, [1, 1, 1, 1]);
    expect(autoSnapshotReason(many, rule({ maxSegments: 4 }))).toBeUndefined();
    expect(autoSnapshotReason(many, rule({ maxSegments: 3 }))).toBe('the log has 4 segments, more than 3');
    expect(autoSnapshotReason(many, rule({ maxSegments: 0 }))).toBeUndefined();
  });
});

describe('loadingReport', () => {
  it("estimates like Redis's INFO: the percentage of the snapshot read, and the seconds left at the rate so far", () => {
    const t0 = 1_700_000_000_000;
    expect(loadingReport(undefined, t0, t0)).toEqual({
      phase: 'snapshot',
      startedAt: t0,
      totalBytes: 0,
      loadedBytes: 0,
      loadedPerc: 0,
      etaSeconds: 1,
      batchesReplayed: 0,
    });
    const p = { phase: 'snapshot' as const, bytes: 250, totalBytes: 1000, batches: 0 };
    // within the first second Redis says 1
    expect(loadingReport(p, t0, t0 + 900)).toMatchObject({ loadedPerc: 24.98, etaSeconds: 1 });
    // 250 bytes in 2 s: 750 more take 5 s (Redis: elapsed × remaining ÷ (loaded + 1))
    expect(loadingReport(p, t0, t0 + 2000)).toMatchObject({ loadedBytes: 250, etaSeconds: 5 });
    // replaying the log: the snapshot is all read
    expect(loadingReport({ phase: 'log', bytes: 0, totalBytes: 1000, batches: 7 }, t0, t0 + 3000)).toMatchObject({
      phase: 'log',
      loadedBytes: 1000,
      loadedPerc: 99.9,
      etaSeconds: 0,
      batchesReplayed: 7,
    });
  });
});

/** A store whose manifest read waits until `release` is called: a restore held in the middle. */
class HeldStore extends MemoryBlobStore {
  private gate: Promise<void> | undefined;
  release: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((r) => {
      this.release = r;
    });
  }

  override async get(name: string, opts: { ifNoneMatch?: string } = {}) {
    if (name === MANIFEST && this.gate !== undefined) {
      const g = this.gate;
      this.gate = undefined;
      await g;
    }
    return super.get(name, opts);
  }
}

const infoOf = (p: Persistence) => Object.fromEntries(p.info());

/**
 * Commits the log, then lets the WriteLog's commit loop finish: a flush called in the same stretch of microtasks as
 * the previous one's resolution finds the loop still running and waits for the next timer tick (faked here).
 */
async function flushed(p: Persistence): Promise<void> {
  await p.writeLog.flush();
  await new Promise((r) => setImmediate(r));
}

function openWith(store: BlobStore, engine: Engine, auto?: AutoSnapshotRule, lines: string[] = []) {
  return Persistence.open(engine, {
    store,
    policy: 'always',
    saveRules: [],
    autoSnapshot: auto,
    log: (l) => lines.push(l),
  });
}

describe('Persistence before and after its restore', () => {
  it('is loading until restored: reports loading_* fields, refuses snapshots and ingestion, writes nothing', async () => {
    const store = new HeldStore();
    const engine = createEngine();
    const p = Persistence.create(engine, { store, policy: 'everysec', saveRules: [], log: () => undefined });
    const index = p.durableIndex(new S3Index(engine));
    expect(p.loading).toBe(true);
    expect(p.saveInProgress).toBe(false);
    expect(p.durabilityBarrier()()).toBeUndefined();
    await expect(p.bgsave()).rejects.toThrow('the dataset is still loading');
    await expect(index.ingest([])).rejects.toThrow(IndexUnavailable);
    expect(() => p.writeLog).toThrow(/not been restored/);
    store.hold();
    const restoring = p.restore();
    await expect(p.restore()).rejects.toThrow(/twice/);
    const info = infoOf(p);
    expect(info).toMatchObject({
      loading: 1,
      loading_total_bytes: 0,
      loading_loaded_bytes: 0,
      loading_loaded_perc: '0.00',
      loading_eta_seconds: 1,
      s3index_store: 'memory',
    });
    expect(info.loading_start_time).toBeGreaterThan(1_600_000_000);
    store.release();
    await restoring;
    expect(p.loading).toBe(false);
    const after = infoOf(p);
    expect(after).toMatchObject({ loading: 0, aof_current_size: 0, aof_base_size: 0, s3index_log_segments: 0 });
    expect(after).not.toHaveProperty('loading_eta_seconds');
    expect(await store.list('')).toEqual([]);
    await p.close({ snapshot: false });
  });

  it('close before the restore has nothing to flush', async () => {
    const p = Persistence.create(createEngine(), {
      store: new MemoryBlobStore(),
      policy: 'everysec',
      saveRules: [],
      log: () => undefined,
    });
    await expect(p.close()).resolves.toBeUndefined();
  });
});

describe('the log-size rule on its timer', () => {
  afterEach(() => jest.useRealTimers());

  it('snapshots once the manifest holds more segments than allowed, and reports the sizes in INFO', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const store = new MemoryBlobStore();
    const engine = createEngine();
    const lines: string[] = [];
    const p = await openWith(store, engine, rule({ percentage: 0, maxSegments: 2 }), lines);
    for (let i = 0; i < 3; i++) {
      engine.exec('SET', `k${i}`, 'v'.repeat(100));
      await flushed(p);
    }
    let info = infoOf(p);
    expect(info.s3index_log_segments).toBe(3);
    expect(info.s3index_log_bytes).toBeGreaterThan(300);
    expect(info.aof_current_size).toBe(info.s3index_log_bytes);
    expect(info.aof_base_size).toBe(0);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines).toContain('the log has 3 segments, more than 2: saving a snapshot to fold it in');
    await p.bgsave(); // the one running
    info = infoOf(p);
    expect(info).toMatchObject({ s3index_log_segments: 0, s3index_log_bytes: 0, aof_rewrite_in_progress: 0 });
    expect(info.aof_base_size).toBeGreaterThan(0);
    expect(info.aof_current_size).toBe(info.aof_base_size);
    // below the bound again: nothing more
    engine.exec('SET', 'k9', 'v');
    await flushed(p);
    const snapshots = (await store.list('snapshots/')).length;
    await jest.advanceTimersByTimeAsync(3000);
    expect((await store.list('snapshots/')).length).toBe(snapshots);
    await p.close({ snapshot: false });
  });

  it('snapshots once the log has grown by the percentage of the snapshot, past the minimum size', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const store = new MemoryBlobStore();
    const engine = createEngine();
    const lines: string[] = [];
    const p = await openWith(store, engine, rule({ percentage: 100, minSize: 2000 }), lines);
    // values that do not deflate, so the snapshot's size is that of the data
    const value = (n: number) => randomBytes(n).toString('base64').slice(0, n);
    // no snapshot yet: the log only has to pass the minimum size
    engine.exec('SET', 'small', value(1000));
    await flushed(p);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines).toEqual([]);
    engine.exec('SET', 'big', value(3000));
    await flushed(p);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines).toEqual([expect.stringMatching(/^the log holds 4\.\d KB and there is no snapshot yet: saving/)]);
    await p.bgsave();
    const base = infoOf(p).aof_base_size as number;
    expect(base).toBeGreaterThan(3000);
    // then the log must pass the minimum and reach the snapshot's size (100 %)
    let logged = 0;
    for (let i = 0; logged < base * 0.7; i++) {
      engine.exec('SET', `s${i}`, value(500));
      await flushed(p);
      logged = infoOf(p).s3index_log_bytes as number;
    }
    expect(logged).toBeGreaterThan(2000);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines).toHaveLength(1);
    for (let i = 0; logged < base; i++) {
      engine.exec('SET', `t${i}`, value(500));
      await flushed(p);
      logged = infoOf(p).s3index_log_bytes as number;
    }
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^the log holds \d+\.\d KB, 1\d\d% of the snapshot's \d+\.\d KB: saving a snapshot/);
    await p.bgsave();
    expect(infoOf(p).s3index_log_segments).toBe(0);
    await p.close({ snapshot: false });
  });

  it('a failed snapshot is retried after 5 seconds, not every second', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const store = new MemoryBlobStore();
    const engine = createEngine();
    const lines: string[] = [];
    const p = await openWith(store, engine, rule({ percentage: 0, maxSegments: 1 }), lines);
    for (let i = 0; i < 2; i++) {
      engine.exec('SET', `k${i}`, 'v');
      await flushed(p);
    }
    const put = store.put.bind(store);
    let failing = true;
    store.put = (name, body, cond) =>
      failing && name.startsWith('snapshots/') ? Promise.reject(new Error('disk full')) : put(name, body, cond);
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(0);
    expect(lines.filter((l) => l.startsWith('snapshot failed'))).toHaveLength(1);
    expect(infoOf(p)).toMatchObject({ rdb_last_bgsave_status: 'err', aof_last_bgrewrite_status: 'err' });
    await jest.advanceTimersByTimeAsync(3000);
    expect(lines.filter((l) => l.startsWith('snapshot failed'))).toHaveLength(1);
    failing = false;
    await jest.advanceTimersByTimeAsync(2000);
    await p.bgsave();
    expect(infoOf(p)).toMatchObject({ rdb_last_bgsave_status: 'ok', s3index_log_segments: 0 });
    await p.close({ snapshot: false });
  });
});

describe('serve configuration of the rule', () => {
  it('reads --auto-snapshot-* flags and S3_INDEX_AUTO_SNAPSHOT_* variables, with Redis-style sizes', () => {
    expect(loadServeConfig([], {})).toMatchObject({
      autoSnapshotPercentage: 100,
      autoSnapshotMinSize: 64 * 1024 * 1024,
      autoSnapshotMaxSegments: 1000,
    });
    expect(
      loadServeConfig(['--auto-snapshot-percentage', '0', '--auto-snapshot-min-size=1gb'], {
        S3_INDEX_AUTO_SNAPSHOT_MAX_SEGMENTS: '50',
        S3_INDEX_AUTO_SNAPSHOT_PERCENTAGE: '200',
      }),
    ).toMatchObject({ autoSnapshotPercentage: 0, autoSnapshotMinSize: 1024 ** 3, autoSnapshotMaxSegments: 50 });
    expect(loadServeConfig([], { S3_INDEX_AUTO_SNAPSHOT_MIN_SIZE: '512kb' }).autoSnapshotMinSize).toBe(512 * 1024);
  });

  it('refuses what is not a percentage, a size or a count, naming the setting', () => {
    expect(() => loadServeConfig(['--auto-snapshot-percentage', '-5'], {})).toThrow(
      new ConfigError("--auto-snapshot-percentage: '-5' is not a positive integer"),
    );
    expect(() => loadServeConfig([], { S3_INDEX_AUTO_SNAPSHOT_MIN_SIZE: '64 mb' })).toThrow(
      "S3_INDEX_AUTO_SNAPSHOT_MIN_SIZE: '64 mb' is not a size (bytes, or e.g. 64mb, 1gb)",
    );
    expect(() => loadServeConfig(['--auto-snapshot-max-segments', 'many'], {})).toThrow(ConfigError);
  });
});
