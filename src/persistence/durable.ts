/**
 * The engine's state in a BlobStore: restore on start, commit write batches, snapshot, refresh, collect garbage.
 * This is the library entry point the server and the Lambda handlers share.
 *
 * Commit protocol (see manifest.ts). A commit writes its batches as a new segment under a name no one else can take
 * (ifNoneMatch '*', named by its first sequence number), then replaces the manifest conditionally on the ETag it
 * last read (ifMatch; ifNoneMatch '*' for the very first). Only after the manifest is replaced is the commit
 * durable and acknowledged. Of two writers, the second to replace the manifest gets PreconditionFailed: its engine
 * is then ahead of the store, so it must reload (CommitConflict says so) and never retries the same batches on its
 * own. A snapshot is committed the same way and drops the segments it covers from the manifest.
 *
 * Loading (open, reload) decodes the snapshot and replays the log into new databases, which replace the engine's
 * only once all of it loaded: a reader never sees half a snapshot, and a damaged one leaves the engine as it was.
 *
 * Manifest updates of one process are serialized (a promise chain), so commits and snapshots of the same writer
 * never race each other. Blobs no manifest names (a losing writer's segment, covered segments, old snapshots) are
 * removed by `collectGarbage` once older than a grace period, so a reader still loading one does not lose it.
 *
 * `crashPoint(...)` calls mark the steps between which a crash leaves the store in another state (crash-points.ts:
 * a test facility; the crash tests kill the process there).
 */
import { randomBytes } from 'node:crypto';
import { type Engine, newSession } from '../engine/engine';
import { Keyspace } from '../engine/keyspace';
import type { BlobStore } from './blob-store';
import { PreconditionFailed } from './blob-store';
import { CorruptError } from './bytes';
import { crashPoint } from './crash-points';
import { encodeSegment, type LogBatch, readSegment } from './log';
import {
  decodeManifest,
  EMPTY_MANIFEST,
  encodeManifest,
  MANIFEST,
  type Manifest,
  type SegmentRef,
  type SnapshotRef,
  segmentName,
  snapshotName,
} from './manifest';
import { loadSnapshot } from './snapshot-decode';
import { SnapshotEncoder } from './snapshot-encode';
import type { WeightFunctions } from './weights';

export interface DurableOptions {
  store: BlobStore;
  weights?: WeightFunctions;
  /** names this process's blobs (default: random) */
  writerId?: string;
  /** deflate level of snapshot sections (0: none; default 1) */
  deflateLevel?: number;
  /** one line per event an operator should know of */
  log?: (line: string) => void;
  /** wall clock for the manifest's timestamps (ms) */
  now?: () => number;
}

export interface RestoreProgress {
  phase: 'snapshot' | 'log';
  /** snapshot bytes read, of `totalBytes` */
  bytes: number;
  totalBytes: number;
  batches: number;
}

export interface RestoreResult {
  keys: number;
  /** the last batch applied */
  seq: number;
  snapshotSeq: number;
  batchesReplayed: number;
  /** what was wrong with the log, if a damaged batch ended the replay early */
  damage?: string;
  ms: number;
}

/** Another writer committed first: this engine is ahead of the store and must be reloaded before writing again. */
export class CommitConflict extends Error {
  constructor(cause: unknown) {
    super('another writer committed to the store first: reload before writing again', { cause });
    this.name = 'CommitConflict';
  }
}

/**
 * Whether `err` is a lost conditional write (blob-store.ts's PreconditionFailed). By name as well as by class: a
 * store may come from another instance of that module than this one's (a second copy of this package; a test's
 * container loaded with jest.isolateModules around a store the test made), whose PreconditionFailed is another
 * class. Missed, a lost race would pass for a store failure, be retried in vain until the ack timeout, and never
 * fence the losing writer.
 */
export function isPreconditionFailed(err: unknown): boolean {
  return err instanceof PreconditionFailed || (err as Error | undefined)?.name === 'PreconditionFailed';
}

/** Whether `err` is a CommitConflict (of this module instance or another: see isPreconditionFailed). */
export function isCommitConflict(err: unknown): err is CommitConflict {
  return err instanceof CommitConflict || (err as Error | undefined)?.name === 'CommitConflict';
}

/**
 * Runs one logged batch against the engine exactly as it first ran (same databases, same time). With `into`, it
 * runs against those databases instead of the engine's (a load in progress): they stand in for the engine's while
 * the batch runs, synchronously, so no one else sees them, and come back out (in their new order, after a SWAPDB).
 * The engine's listeners hear of the keys the batch writes either way (for a load, a needless invalidation).
 */
export function replayBatch(engine: Engine, batch: LogBatch, into?: Keyspace[]): void {
  const session = newSession();
  const hook = engine.writeHook;
  engine.writeHook = undefined;
  const live = into === undefined ? undefined : engine.dbs.splice(0, engine.dbs.length, ...into);
  try {
    for (const e of batch.entries) {
      const argv = e.argv as Buffer[];
      const spec = engine.lookupCommand(argv[0]!);
      if (spec === undefined) throw new CorruptError(`log batch ${batch.seq}: unknown command ${argv[0]!.toString()}`);
      session.db = e.db;
      engine.run(spec, argv, session, batch.now);
    }
  } finally {
    engine.writeHook = hook;
    if (live !== undefined) into!.splice(0, into!.length, ...engine.dbs.splice(0, engine.dbs.length, ...live));
  }
}

/**
 * Puts loaded databases in place of the engine's, each as SWAPDB would swap it with a database beyond the last:
 * the engine's listeners learn of it as of a SWAPDB (WATCH invalidates a watched key present before or after, the
 * index reports every bucket changed, `dirty` moves), and everyone who reads `engine.dbs[i]` afresh sees the new
 * state. The replaced databases keep their contents for whoever still holds one (a listing's sorted set).
 */
function installDatabases(engine: Engine, loaded: readonly Keyspace[]): void {
  const n = engine.dbs.length;
  for (let i = 0; i < n; i++) {
    const fresh = loaded[i]!;
    fresh.expiredCount = engine.dbs[i]!.expiredCount;
    engine.dbs.push(fresh);
    engine.swapDbs(i, n);
    engine.dbs.pop();
  }
}

export class Durable {
  private manifest: Manifest = EMPTY_MANIFEST;
  private etag: string | undefined;
  /** the last batch applied to the engine (committed or not) */
  appliedSeq = 0;
  /** the snapshot being written, if any (writes consult it before they change a key) */
  encoder: SnapshotEncoder | undefined;
  readonly writerId: string;
  private chain: Promise<unknown> = Promise.resolve();
  /** reloads asked for and not yet done (a snapshot must not start meanwhile: the databases are about to change) */
  private reloading = 0;
  private readonly now: () => number;

  private constructor(
    readonly store: BlobStore,
    private readonly opts: DurableOptions,
  ) {
    this.writerId = opts.writerId ?? randomBytes(4).toString('hex');
    this.now = opts.now ?? Date.now;
  }

  /** The last batch committed (named by the manifest this process last read or wrote). */
  get committedSeq(): number {
    return this.manifest.lastSeq;
  }

  get current(): Readonly<Manifest> {
    return this.manifest;
  }

  /**
   * Opens a store and loads its committed state into `engine` (whose databases are replaced: see `reload`). Throws
   * CorruptError for a damaged snapshot or manifest, StoreError when the store cannot be read.
   */
  static async open(
    engine: Engine,
    opts: DurableOptions,
    onProgress?: (p: RestoreProgress) => void,
  ): Promise<{ durable: Durable; restored: RestoreResult }> {
    const d = new Durable(opts.store, opts);
    const restored = await d.load(engine, onProgress);
    return { durable: d, restored };
  }

  /**
   * Loads the store's committed state afresh (after `refresh` said 'reload': another writer's snapshot replaced the
   * segments this engine would need). The snapshot and the log are loaded into new databases while the engine goes
   * on serving its current state; they replace the engine's only once the whole load succeeded. On an error
   * (CorruptError, StoreError) the engine keeps its state and this Durable its position. Writes the engine took
   * since its last commit are dropped with its old databases: a writer reloads only once its log is fenced.
   */
  reload(engine: Engine, onProgress?: (p: RestoreProgress) => void): Promise<RestoreResult> {
    if (this.encoder !== undefined) return Promise.reject(new Error('cannot reload while a snapshot is being written'));
    this.reloading++;
    return this.serialized(() => this.load(engine, onProgress)).finally(() => {
      this.reloading--;
    });
  }

  private async readManifest(
    ifNoneMatch?: string,
  ): Promise<{ m: Manifest; etag: string | undefined } | 'not-modified'> {
    const got = await this.store.get(MANIFEST, ifNoneMatch !== undefined ? { ifNoneMatch } : {});
    if (got === 'not-modified') return got;
    if (got === undefined) return { m: EMPTY_MANIFEST, etag: undefined };
    return { m: decodeManifest(got.body), etag: got.etag };
  }

  /** Loads the committed state into new databases and, once all of it is loaded, swaps them into the engine. */
  private async load(engine: Engine, onProgress?: (p: RestoreProgress) => void): Promise<RestoreResult> {
    const t0 = performance.now();
    const read = await this.readManifest();
    if (read === 'not-modified') throw new Error('unreachable');
    const { m, etag } = read;
    let keys = 0;
    const snapshotSeq = m.snapshot?.logSeq ?? 0;
    const dbs = engine.dbs.map((_, i) => new Keyspace(i, engine));
    if (m.snapshot !== null) {
      const s = await this.store.getStream(m.snapshot.name);
      if (s === undefined) throw new CorruptError(`the manifest names ${m.snapshot.name}, which is not in the store`);
      const total = s.size;
      const summary = await loadSnapshot(s.body, dbs, {
        weights: this.opts.weights,
        onProgress: (bytes) => onProgress?.({ phase: 'snapshot', bytes, totalBytes: total, batches: 0 }),
      });
      if (summary.logSeq !== m.snapshot.logSeq)
        throw new CorruptError(
          `${m.snapshot.name} holds batches to ${summary.logSeq}, the manifest says ${snapshotSeq}`,
        );
      keys = summary.keys;
    }
    const { seq, replayed, damage, segments } = await this.replaySegments(
      engine,
      m.segments,
      snapshotSeq,
      dbs,
      onProgress,
    );
    installDatabases(engine, dbs);
    this.appliedSeq = seq;
    this.manifest = damage === undefined ? m : { ...m, segments, lastSeq: seq };
    this.etag = etag;
    if (damage !== undefined) this.opts.log?.(`log damaged: ${damage}; state restored up to batch ${seq}`);
    return {
      keys,
      seq,
      snapshotSeq,
      batchesReplayed: replayed,
      damage,
      ms: performance.now() - t0,
    };
  }

  /**
   * Replays the batches of `segments` after batch `from` (into `dbs`, or the engine's own databases); stops at the
   * first damaged one. `seq`: the last batch applied.
   */
  private async replaySegments(
    engine: Engine,
    segments: readonly SegmentRef[],
    from: number,
    dbs: Keyspace[] | undefined,
    onProgress?: (p: RestoreProgress) => void,
  ): Promise<{ seq: number; replayed: number; damage?: string; segments: SegmentRef[] }> {
    let seq = from;
    let replayed = 0;
    const kept: SegmentRef[] = [];
    for (const ref of segments) {
      if (ref.last <= seq) continue;
      const got = await this.store.get(ref.name);
      if (got === undefined || got === 'not-modified')
        return { seq, replayed, segments: kept, damage: `${ref.name} is named by the manifest but missing` };
      const read = readSegment(got.body);
      let end = seq;
      for (const b of read.batches) {
        if (b.seq > ref.last) break;
        if (b.seq <= seq) continue;
        if (b.seq !== seq + 1)
          return { seq, replayed, segments: kept, damage: `${ref.name}: batch ${b.seq} where ${seq + 1} was due` };
        replayBatch(engine, b, dbs);
        seq = b.seq;
        end = b.seq;
        replayed++;
      }
      onProgress?.({ phase: 'log', bytes: 0, totalBytes: 0, batches: replayed });
      if (end < ref.last) {
        if (end > ref.first - 1) kept.push({ ...ref, last: end });
        const why =
          read.damage !== undefined ? `${read.damage.reason} at byte ${read.damage.offset}` : 'batches missing';
        return { seq, replayed, segments: kept, damage: `${ref.name}: ${why}` };
      }
      kept.push(ref);
    }
    return { seq, replayed, segments: kept };
  }

  /** Runs manifest updates one at a time, in call order. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Replaces the manifest with `next` if it is still the one read; throws CommitConflict otherwise. */
  private async replaceManifest(next: Manifest): Promise<void> {
    try {
      this.etag = await this.store.put(
        MANIFEST,
        encodeManifest(next),
        this.etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: this.etag },
      );
      this.manifest = next;
    } catch (err) {
      if (isPreconditionFailed(err)) throw new CommitConflict(err);
      throw err;
    }
  }

  /**
   * Commits batches (already applied to the engine, numbered on from committedSeq) as one segment. Resolves once
   * they are durable; CommitConflict when another writer committed first; StoreError on I/O (the caller may retry).
   */
  commit(batches: readonly LogBatch[]): Promise<void> {
    return this.serialized(async () => {
      if (batches.length === 0) return;
      const first = batches[0]!.seq;
      const last = batches[batches.length - 1]!.seq;
      if (first !== this.manifest.lastSeq + 1)
        throw new Error(`commit of batches ${first}…${last} after ${this.manifest.lastSeq}`);
      const body = encodeSegment(batches);
      const name = segmentName(first, this.writerId);
      crashPoint('commit.begin');
      try {
        try {
          await this.store.put(name, body, { ifNoneMatch: '*' });
        } catch (err) {
          if (!isPreconditionFailed(err)) throw err;
          if (await this.adoptIfCommitted(name, last)) return;
          // the name carries this writer's id: the blob is what an earlier, failed attempt of ours left
          await this.store.put(name, body);
        }
        crashPoint('commit.segment-written');
        await this.replaceManifest({
          ...this.manifest,
          segments: [...this.manifest.segments, { name, first, last, bytes: body.length }],
          lastSeq: last,
          writer: this.writerId,
          updatedAt: this.now(),
        });
        crashPoint('commit.manifest-replaced');
      } catch (err) {
        // a retry after a lost response finds its own earlier attempt committed: that is a success
        if (isCommitConflict(err) && (await this.adoptIfCommitted(name, last))) return;
        throw err;
      }
    });
  }

  /** True (and the store's manifest adopted) when the store's manifest already names segment `name` up to `last`. */
  private async adoptIfCommitted(name: string, last: number): Promise<boolean> {
    const read = await this.readManifest();
    if (read === 'not-modified') return false;
    if (!read.m.segments.some((s) => s.name === name && s.last === last) || read.m.lastSeq !== last) return false;
    this.manifest = read.m;
    this.etag = read.etag;
    return true;
  }

  /**
   * Writes a snapshot of the engine as of now (batches up to appliedSeq; the caller has numbered every batch
   * applied so far) and commits it once every batch it covers is committed. While it is written, `encoder` is set:
   * the engine's write hook must call encoder.beforeWrite before each write. Resolves with the snapshot's
   * reference, or undefined when the store already has one at this sequence number.
   */
  async snapshot(
    engine: Engine,
    opts: { meta?: Record<string, unknown>; beforeCommit?: () => Promise<void> } = {},
  ): Promise<SnapshotRef | undefined> {
    if (this.encoder !== undefined) throw new Error('a snapshot is already being written');
    if (this.reloading > 0) throw new Error('cannot snapshot while the store is being reloaded');
    const logSeq = this.appliedSeq;
    if (this.manifest.snapshot?.logSeq === logSeq && logSeq > 0) return undefined;
    const createdAt = this.now();
    const enc = new SnapshotEncoder(engine.dbs, {
      logSeq,
      createdAt,
      weights: this.opts.weights,
      deflateLevel: this.opts.deflateLevel,
      meta: opts.meta,
    });
    this.encoder = enc;
    const name = snapshotName(logSeq, this.writerId);
    let bytes = 0;
    async function* sections(): AsyncGenerator<Uint8Array> {
      const h = enc.header();
      bytes += h.length;
      yield h;
      crashPoint('snapshot.section');
      for (;;) {
        const s = enc.next();
        if (s === undefined) return;
        bytes += s.length;
        yield s;
        crashPoint('snapshot.section');
        // let the engine serve between sections
        await new Promise((r) => setImmediate(r));
      }
    }
    let keys = 0;
    try {
      keys = engine.dbs.reduce((n, d) => n + d.size, 0);
      await this.store.put(name, sections(), { ifNoneMatch: '*' });
    } catch (err) {
      if (isPreconditionFailed(err)) {
        this.encoder = undefined;
        return undefined;
      }
      throw err;
    } finally {
      // a write hook may have finished the encoder early; either way it is done now
      this.encoder = undefined;
    }
    crashPoint('snapshot.written');
    const ref: SnapshotRef = { name, logSeq, bytes, keys, createdAt };
    // the batches the snapshot covers must be committed before it replaces them in the manifest
    await opts.beforeCommit?.();
    await this.serialized(async () => {
      // batches up to logSeq are committed by now, unless a commit failed (then the engine is to be reloaded)
      if (this.manifest.lastSeq < logSeq) throw new Error('snapshot covers batches that are not committed');
      await this.replaceManifest({
        ...this.manifest,
        snapshot: ref,
        segments: this.manifest.segments.filter((s) => s.last > logSeq),
        writer: this.writerId,
        updatedAt: this.now(),
      });
    });
    crashPoint('snapshot.manifest-replaced');
    return ref;
  }

  /**
   * Brings a reader up to date: re-reads the manifest (a conditional GET: nothing is transferred when it has not
   * changed) and applies the batches committed since. 'reload' when that is not possible (a snapshot replaced the
   * segments this engine would need): the caller then calls `reload`.
   */
  refresh(engine: Engine): Promise<'unchanged' | 'updated' | 'reload'> {
    return this.serialized(async () => {
      const read = await this.readManifest(this.etag);
      if (read === 'not-modified') return 'unchanged';
      const { m, etag } = read;
      if (m.lastSeq < this.appliedSeq) return 'reload';
      const base = m.snapshot?.logSeq ?? 0;
      const first = m.segments[0]?.first ?? base + 1;
      if (base > this.appliedSeq && first > this.appliedSeq + 1) return 'reload';
      // whole batches into the live databases: a reader sees each batch all at once, as a writer's client did
      const { seq, damage } = await this.replaySegments(engine, m.segments, this.appliedSeq, undefined);
      this.appliedSeq = seq;
      if (damage !== undefined) throw new CorruptError(`refresh: ${damage}`);
      this.manifest = m;
      this.etag = etag;
      return 'updated';
    });
  }

  /**
   * Deletes blobs the store's current manifest does not name and that are older than `graceMs` (a reader may still
   * be loading a snapshot a newer manifest replaced); returns how many.
   */
  async collectGarbage(graceMs = 10 * 60_000): Promise<number> {
    const read = await this.readManifest();
    if (read === 'not-modified') return 0;
    const named = new Set<string>([MANIFEST]);
    if (read.m.snapshot !== null) named.add(read.m.snapshot.name);
    for (const s of read.m.segments) named.add(s.name);
    const cutoff = this.now() - graceMs;
    let n = 0;
    for (const prefix of ['snapshots/', 'log/']) {
      for (const b of await this.store.list(prefix)) {
        if (named.has(b.name) || b.lastModified > cutoff) continue;
        await this.store.delete(b.name);
        crashPoint('gc.deleted');
        n++;
      }
    }
    return n;
  }
}
