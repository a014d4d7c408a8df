/**
 * The engine's write hook while it is durable: records every write command as it runs, numbers the records into
 * batches, and commits them to the store through Durable, several at a time (group commit).
 *
 * - A batch is a run of consecutive writes that ran at the same `now` (a replay gives each batch its time). Writes of
 *   one synchronous stretch (a pipeline, a MULTI/EXEC, an ingest batch) land in the same commit.
 * - `flush()` commits everything recorded so far and resolves once it is durable; callers that acknowledge only
 *   durable writes (ingest, the `always` policy) await it. While one commit is in flight, the writes recorded
 *   meanwhile wait and go together in the next.
 * - Policies for the rest (like Redis's appendfsync): `always` (the front end awaits flush before it replies),
 *   `everysec` (a timer flushes every second: a crash loses at most about a second of cache writes), `no` (a timer
 *   flushes every 30 s, as an OS would).
 * - Before a write changes a key, a snapshot being written saves it (Durable.encoder.beforeWrite).
 *
 * Failures: a commit that loses to another writer (CommitConflict) fences this log: every waiting and later flush
 * rejects with it, and `onFenced` tells the owner, which must reload or stop. Other failures (the store
 * unreachable) are retried with backoff, the batches kept in order; a flush waits up to `ackTimeoutMs`, then
 * rejects with StoreUnavailable (not acknowledged; the batches may still become durable later).
 */
import type { Engine, WriteHook } from '../engine/engine';
import { CommitConflict, type Durable, isCommitConflict, isPreconditionFailed } from './durable';
import type { LogBatch, LogEntry } from './log';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** A flush that the store did not make durable in time; its batches are still queued and retried. */
export class StoreUnavailable extends Error {
  constructor(lastError: string) {
    super(`the store has not accepted the log for too long (${lastError}); still retrying`);
    this.name = 'StoreUnavailable';
  }
}

export interface WriteLogOptions {
  policy?: FsyncPolicy;
  /**
   * A flush still not durable after this long (the store failing) rejects with StoreUnavailable; the batches stay
   * queued and are retried (default 30 s)
   */
  ackTimeoutMs?: number;
  log?: (line: string) => void;
  onFenced?: (err: CommitConflict) => void;
  /** longest wait between retries of a failed commit (ms) */
  maxBackoffMs?: number;
}

const FLUSH_EVERY_MS: Record<FsyncPolicy, number> = { always: 1000, everysec: 1000, no: 30_000 };

const INGEST_COMMAND = Buffer.from('s3idx.ingest', 'latin1');

/** S3IDX.INGEST in any letter case: index batches are always acknowledged once durable. */
function isUrgent(name: Buffer): boolean {
  if (name.length !== INGEST_COMMAND.length) return false;
  for (let i = 0; i < name.length; i++) if ((name[i]! | 0x20) !== (INGEST_COMMAND[i]! | 0x20)) return false;
  return true;
}

export class WriteLog implements WriteHook {
  readonly policy: FsyncPolicy;
  private entries: LogEntry[] = [];
  private entriesNow = 0;
  /** numbered and not yet committed, in order */
  private queued: LogBatch[] = [];
  private committing: Promise<void> | undefined;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private fenced: CommitConflict | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** an index batch was recorded since the last cut; the last batch holding one */
  private urgent = false;
  private urgentSeq = 0;
  /** writes recorded since start, and commits done (INFO persistence) */
  recorded = 0;
  commits = 0;
  lastCommitError: string | undefined;

  constructor(
    private readonly durable: Durable,
    private readonly engine: Engine,
    private readonly opts: WriteLogOptions = {},
  ) {
    this.policy = opts.policy ?? 'everysec';
  }

  /** Installs the hook on the engine and starts the policy's timer. */
  start(): this {
    this.engine.writeHook = this;
    this.timer = setInterval(() => {
      if (this.entries.length > 0 || this.queued.length > 0) this.flush().catch(() => undefined);
    }, FLUSH_EVERY_MS[this.policy]);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.engine.writeHook === this) this.engine.writeHook = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  before(db: number, keys: readonly Buffer[] | undefined): void {
    const enc = this.durable.encoder;
    if (enc === undefined) return;
    if (keys === undefined) enc.beforeWrite(db, undefined);
    else for (const k of keys) enc.beforeWrite(db, k.toString('latin1'));
  }

  after(db: number, argv: readonly Buffer[], now: number): void {
    if (this.entries.length > 0 && now !== this.entriesNow) this.cut();
    if (isUrgent(argv[0]!)) this.urgent = true;
    this.entriesNow = now;
    // argv may be views of a connection's read buffer, which is reused
    this.entries.push({ db, argv: argv.map((a) => Buffer.from(a)) });
    this.recorded++;
  }

  /**
   * Whether a reply must wait for a flush: with `always`, any write not yet durable; otherwise an index batch
   * (S3IDX.INGEST over RESP or /redis), which is acknowledged only once durable whatever the policy.
   */
  get mustFlush(): boolean {
    if (this.policy === 'always') return this.entries.length > 0 || this.durable.committedSeq < this.durable.appliedSeq;
    return this.urgent || this.durable.committedSeq < this.urgentSeq;
  }

  /** Writes recorded and not yet durable. */
  get backlog(): number {
    return this.entries.length + this.queued.reduce((n, b) => n + b.entries.length, 0);
  }

  /** Numbers the writes recorded so far as a batch (the next sequence number) and queues it for commit. */
  cut(): void {
    if (this.entries.length === 0) return;
    const seq = this.durable.appliedSeq + 1;
    this.durable.appliedSeq = seq;
    if (this.urgent) {
      this.urgentSeq = seq;
      this.urgent = false;
    }
    this.queued.push({ seq, now: this.entriesNow, entries: this.entries });
    this.entries = [];
  }

  /** Commits every write recorded so far; resolves once they are durable. */
  flush(): Promise<void> {
    if (this.fenced !== undefined) return Promise.reject(this.fenced);
    this.cut();
    const target = this.durable.appliedSeq;
    if (target <= this.durable.committedSeq) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => {
      const w = { seq: target, resolve, reject };
      this.waiters.push(w);
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(new StoreUnavailable(this.lastCommitError ?? 'the store did not answer'));
      }, this.opts.ackTimeoutMs ?? 30_000);
      timer.unref();
      w.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      w.reject = (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      };
    });
    this.pump();
    return p;
  }

  /** Starts the commit loop unless it runs. */
  private pump(): void {
    if (this.committing !== undefined || this.fenced !== undefined) return;
    this.committing = this.commitLoop().finally(() => {
      this.committing = undefined;
      // a flush made between the loop's last check and here (a resolved waiter's continuation runs first) found
      // the loop still running: start it again instead of leaving its batches to the next timer tick
      if (this.queued.length > 0 && this.waiters.length > 0) this.pump();
    });
  }

  private async commitLoop(): Promise<void> {
    while (this.queued.length > 0) {
      const batches = this.queued.slice();
      try {
        await this.durable.commit(batches);
      } catch (err) {
        // a lost conditional write is a conflict however it got here: retrying it can only lose again
        if (isCommitConflict(err) || isPreconditionFailed(err)) {
          this.fence(isCommitConflict(err) ? err : new CommitConflict(err));
          return;
        }
        // keep the batches, in order, and try again after a pause
        this.failures++;
        this.lastCommitError = (err as Error).message;
        if (this.failures === 1 || this.failures % 10 === 0)
          this.opts.log?.(`commit failed (${this.failures}×), retrying: ${(err as Error).message}`);
        const wait = Math.min(this.opts.maxBackoffMs ?? 5000, 50 * 2 ** Math.min(this.failures, 10));
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      this.failures = 0;
      this.lastCommitError = undefined;
      this.commits++;
      // batches numbered while this commit ran stay queued for the next
      this.queued = this.queued.slice(batches.length);
      const done = this.durable.committedSeq;
      this.waiters = this.waiters.filter((w) => {
        if (w.seq > done) return true;
        w.resolve();
        return false;
      });
    }
  }

  private fence(err: CommitConflict): void {
    this.fenced = err;
    this.lastCommitError = err.message;
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    this.opts.log?.(err.message);
    this.opts.onFenced?.(err);
  }

  /**
   * Writes a snapshot: numbers the writes recorded so far, then snapshots the engine while writes go on, and
   * commits it once the batches it covers are durable.
   */
  async snapshot(meta?: Record<string, unknown>) {
    this.cut();
    return this.durable.snapshot(this.engine, { meta, beforeCommit: () => this.flush() });
  }
}
