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
 * Manifest updates of one process are serialized (a promise chain), so commits and snapshots of the same writer
 * never race each other. Blobs no manifest names (a losing writer's segment, covered segments, old snapshots) are
 * removed by `collectGarbage` once older than a grace period, so a reader still loading one does not lose it.
 */
import { randomBytes } from 'node:crypto';
import { type Engine, newSession } from '../engine/engine';
import type { BlobStore } from './blob-store';
import { PreconditionFailed } from './blob-store';
import { CorruptError } from './bytes';
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

/** Runs one logged batch against the engine exactly as it first ran (same databases, same time). */
export function replayBatch(engine: Engine, batch: LogBatch): void {
  const session = newSession();
  const hook = engine.writeHook;
  engine.writeHook = undefined;
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
   * Opens a store and loads its committed state into `engine`, whose databases must be empty. Throws CorruptError
   * for a damaged snapshot or manifest, StoreError when the store cannot be read.
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

  private async readManifest(
    ifNoneMatch?: string,
  ): Promise<{ m: Manifest; etag: string | undefined } | 'not-modified'> {
    const got = await this.store.get(MANIFEST, ifNoneMatch !== undefined ? { ifNoneMatch } : {});
    if (got === 'not-modified') return got;
    if (got === undefined) return { m: EMPTY_MANIFEST, etag: undefined };
    return { m: decodeManifest(got.body), etag: got.etag };
  }

  private async load(engine: Engine, onProgress?: (p: RestoreProgress) => void): Promise<RestoreResult> {
    const t0 = performance.now();
    const read = await this.readManifest();
    if (read === 'not-modified') throw new Error('unreachable');
    const { m, etag } = read;
    let keys = 0;
    const snapshotSeq = m.snapshot?.logSeq ?? 0;
    if (m.snapshot !== null) {
      const s = await this.store.getStream(m.snapshot.name);
      if (s === undefined) throw new CorruptError(`the manifest names ${m.snapshot.name}, which is not in the store`);
      const total = s.size;
      const summary = await loadSnapshot(s.body, engine.dbs, {
        weights: this.opts.weights,
        onProgress: (bytes) => onProgress?.({ phase: 'snapshot', bytes, totalBytes: total, batches: 0 }),
      });
      if (summary.logSeq !== m.snapshot.logSeq)
        throw new CorruptError(
          `${m.snapshot.name} holds batches to ${summary.logSeq}, the manifest says ${snapshotSeq}`,
        );
      keys = summary.keys;
    }
    this.appliedSeq = snapshotSeq;
    const { replayed, damage, segments } = await this.replaySegments(engine, m.segments, onProgress);
    this.manifest = damage === undefined ? m : { ...m, segments, lastSeq: this.appliedSeq };
    this.etag = etag;
    if (damage !== undefined) this.opts.log?.(`log damaged: ${damage}; state restored up to batch ${this.appliedSeq}`);
    return {
      keys,
      seq: this.appliedSeq,
      snapshotSeq,
      batchesReplayed: replayed,
      damage,
      ms: performance.now() - t0,
    };
  }

  /** Replays the batches of `segments` after appliedSeq; stops at the first damaged one. */
  private async replaySegments(
    engine: Engine,
    segments: readonly SegmentRef[],
    onProgress?: (p: RestoreProgress) => void,
  ): Promise<{ replayed: number; damage?: string; segments: SegmentRef[] }> {
    let replayed = 0;
    const kept: SegmentRef[] = [];
    for (const ref of segments) {
      if (ref.last <= this.appliedSeq) continue;
      const got = await this.store.get(ref.name);
      if (got === undefined || got === 'not-modified')
        return { replayed, segments: kept, damage: `${ref.name} is named by the manifest but missing` };
      const read = readSegment(got.body);
      let end = this.appliedSeq;
      for (const b of read.batches) {
        if (b.seq > ref.last) break;
        if (b.seq <= this.appliedSeq) continue;
        if (b.seq !== this.appliedSeq + 1)
          return {
            replayed,
            segments: kept,
            damage: `${ref.name}: batch ${b.seq} where ${this.appliedSeq + 1} was due`,
          };
        replayBatch(engine, b);
        this.appliedSeq = b.seq;
        end = b.seq;
        replayed++;
      }
      onProgress?.({ phase: 'log', bytes: 0, totalBytes: 0, batches: replayed });
      if (end < ref.last) {
        if (end > ref.first - 1) kept.push({ ...ref, last: end });
        const why =
          read.damage !== undefined ? `${read.damage.reason} at byte ${read.damage.offset}` : 'batches missing';
        return { replayed, segments: kept, damage: `${ref.name}: ${why}` };
      }
      kept.push(ref);
    }
    return { replayed, segments: kept };
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
      if (err instanceof PreconditionFailed) throw new CommitConflict(err);
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
      try {
        try {
          await this.store.put(name, body, { ifNoneMatch: '*' });
        } catch (err) {
          if (!(err instanceof PreconditionFailed)) throw err;
          if (await this.adoptIfCommitted(name, last)) return;
          // the name carries this writer's id: the blob is what an earlier, failed attempt of ours left
          await this.store.put(name, body);
        }
        await this.replaceManifest({
          ...this.manifest,
          segments: [...this.manifest.segments, { name, first, last, bytes: body.length }],
          lastSeq: last,
          writer: this.writerId,
          updatedAt: this.now(),
        });
      } catch (err) {
        // a retry after a lost response finds its own earlier attempt committed: that is a success
        if (err instanceof CommitConflict && (await this.adoptIfCommitted(name, last))) return;
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
      for (;;) {
        const s = enc.next();
        if (s === undefined) return;
        bytes += s.length;
        yield s;
        // let the engine serve between sections
        await new Promise((r) => setImmediate(r));
      }
    }
    let keys = 0;
    try {
      keys = engine.dbs.reduce((n, d) => n + d.size, 0);
      await this.store.put(name, sections(), { ifNoneMatch: '*' });
    } catch (err) {
      if (err instanceof PreconditionFailed) {
        this.encoder = undefined;
        return undefined;
      }
      throw err;
    } finally {
      // a write hook may have finished the encoder early; either way it is done now
      this.encoder = undefined;
    }
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
    return ref;
  }

  /**
   * Brings a reader up to date: re-reads the manifest (a conditional GET: nothing is transferred when it has not
   * changed) and applies the batches committed since. 'reload' when that is not possible (a snapshot replaced the
   * segments this engine would need): the caller loads afresh.
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
      const { damage } = await this.replaySegments(engine, m.segments);
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
        n++;
      }
    }
    return n;
  }
}
