/**
 * BlobStore on a local directory. A blob is a file under the root (a name's '/' are subdirectories).
 *
 * Durability: every put writes a temporary file in the same directory, fsyncs it, then publishes it under its name
 * and fsyncs the directory, so a crash leaves the old blob or the new one, whole, never a torn one.
 * - no condition, or ifMatch: rename over the name (atomic replace);
 * - ifNoneMatch '*': link(2) the temporary file to the name, which fails with EEXIST if the name exists (atomic
 *   create-if-absent, like O_EXCL, but of a file already written in full).
 * ifMatch compares and replaces under a lock file naming its holder (host, pid, and a token of the process), so two
 * processes sharing the directory are fenced like S3 writers. The lock is taken whole: its holder's line is written
 * to a temporary file first, which is then link(2)ed to the lock's name (EEXIST: held), so no lock is ever seen
 * empty (a lock created with O_EXCL and written after was left empty by a process killed in between, about one kill
 * in ten during commits; its holder unknown, it stalled the next writer until LOCK_STALE_MS: the crash tests' 8.9 s
 * wait after a kill at snapshot.written). A lock left behind is broken at once when its holder was a process of
 * this host that no longer runs (killed while it held the lock), or an earlier process of this host with this
 * process's pid (a restarted container), or when it names no holder (written by an older version, or lost its
 * bytes in a power cut) and is LOCK_UNNAMED_MS old; else once LOCK_STALE_MS old.
 *
 * Temporary files name their writer's host and pid: opening the store removes those of writers that died.
 *
 * ETag: the file's inode, size and mtime in ns: a replaced file has a new inode, so the ETag changes with every put.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Blob,
  type BlobInfo,
  type BlobStore,
  type BlobStream,
  checkName,
  PreconditionFailed,
  type PutCondition,
  StoreError,
} from './blob-store';
import { blobCrashPoint, crashPointsArmed } from './crash-points';

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;
/**
 * A lock naming no holder is no live holder's of this version (locks are taken whole); one of an older version may
 * be between its creation and its write for a moment: it is broken once this old.
 */
const LOCK_UNNAMED_MS = 1_000;

/** A temporary file not written to for this long is a dead writer's, whatever host it was on. */
const TEMP_STALE_MS = 24 * 3_600_000;

let tmpSeq = 0;
const HOST = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_');

/** This process among those that had its pid on this host (a container restarted gets the same pid again). */
const TOKEN = randomBytes(6).toString('hex');

/** What a lock file says of its holder: `<host> <pid> <token>` (`<host> <pid>` from older versions). */
const LOCK_HOLDER = `${HOST} ${process.pid} ${TOKEN}\n`;

/** The start of the name of a serving mark (FsBlobStore.markServing). */
const SERVING_PREFIX = '.serving-';

/** A temporary file's name: `.tmp-<base>-<host>-<pid>-<n>`, so that a dead writer's can be told and removed. */
function tempName(base: string): string {
  return `.tmp-${base}-${HOST}-${process.pid}-${tmpSeq++}`;
}

export class FsBlobStore implements BlobStore {
  readonly fenced = true;
  readonly description: string;

  private constructor(readonly root: string) {
    this.description = `directory ${root}`;
  }

  /**
   * Opens (creating it if needed) a directory store, checking that it can be written; `readOnly`: an existing
   * directory, touched in no way (inspecting a store).
   */
  static async open(dir: string, opts: { readOnly?: boolean } = {}): Promise<FsBlobStore> {
    const root = path.resolve(dir);
    if (opts.readOnly) {
      const st = await fsp.stat(root).catch(() => undefined);
      if (st === undefined || !st.isDirectory()) throw new StoreError(`${root} is not a directory`);
      return new FsBlobStore(root);
    }
    try {
      await fsp.mkdir(root, { recursive: true });
      const probe = path.join(root, tempName('probe'));
      await fsp.writeFile(probe, '');
      await fsp.unlink(probe);
    } catch (err) {
      throw new StoreError(`data directory ${root} is not writable (${codeOf(err)})`, { cause: err });
    }
    await removeLeftovers(root);
    return new FsBlobStore(root);
  }

  /**
   * Marks the directory as served by this process until the returned function runs: a file `.serving-<host>-<pid>`
   * naming it (outside the blob names), which `servers()` finds. Writers stay fenced by the manifest's lock whatever
   * the marks say: a mark is for the commands that would write behind a running server's back (an import), which
   * then refuse.
   */
  async markServing(): Promise<() => Promise<void>> {
    const mark = path.join(this.root, `${SERVING_PREFIX}${HOST}-${process.pid}`);
    await fsp.writeFile(mark, LOCK_HOLDER);
    return () => fsp.unlink(mark).catch(() => undefined);
  }

  /**
   * The processes serving from this directory now, as "pid N on HOST": the marks of markServing whose process of this
   * host still runs (a killed server's mark is removed here), and every mark of another host (which cannot be
   * checked from here). This process's own mark is left out.
   */
  async servers(): Promise<string[]> {
    const names = await fsp.readdir(this.root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names) {
      if (!name.startsWith(SERVING_PREFIX)) continue;
      const file = path.join(this.root, name);
      const holder = await fsp.readFile(file, 'latin1').catch(() => undefined);
      if (holder === undefined || holder === LOCK_HOLDER) continue;
      if (holderGone(holder, Number.POSITIVE_INFINITY)) {
        await fsp.unlink(file).catch(() => undefined);
        continue;
      }
      const [host, pid] = holder.trim().split(' ');
      out.push(`pid ${pid} on ${host === HOST ? 'this host' : host}`);
    }
    return out;
  }

  private pathOf(name: string): string {
    checkName(name);
    return path.join(this.root, ...name.split('/'));
  }

  /** The blob's file opened for reading, or undefined when there is none. */
  private async openBlob(name: string): Promise<fsp.FileHandle | undefined> {
    try {
      return await fsp.open(this.pathOf(name), 'r');
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return undefined;
      throw this.failure('read', name, err);
    }
  }

  async get(name: string, opts: { ifNoneMatch?: string } = {}): Promise<Blob | 'not-modified' | undefined> {
    const fh = await this.openBlob(name);
    if (fh === undefined) return undefined;
    try {
      const st = await fh.stat({ bigint: true });
      const etag = etagOf(st);
      if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch === etag) return 'not-modified';
      const body = await fh.readFile();
      return { etag, body };
    } finally {
      await fh.close();
    }
  }

  async getStream(name: string): Promise<BlobStream | undefined> {
    const fh = await this.openBlob(name);
    if (fh === undefined) return undefined;
    const st = await fh.stat({ bigint: true });
    // the stream owns the handle and closes it at its end (or on error)
    const body = createReadStream('', { fd: fh, highWaterMark: 1024 * 1024 });
    return { etag: etagOf(st), size: Number(st.size), body };
  }

  async put(name: string, body: Uint8Array | AsyncIterable<Uint8Array>, cond?: PutCondition): Promise<string> {
    const p = this.pathOf(name);
    const dir = path.dirname(p);
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch (err) {
      throw this.failure('write', name, err);
    }
    const tmp = path.join(dir, tempName(path.basename(p)));
    try {
      await writeDurably(tmp, body, name);
      blobCrashPoint(name, 'synced');
      if (cond !== undefined && 'ifNoneMatch' in cond) {
        try {
          await fsp.link(tmp, p);
        } catch (err) {
          if (codeOf(err) === 'EEXIST') throw new PreconditionFailed(name, 'already exists');
          throw err;
        }
        await fsp.unlink(tmp);
      } else if (cond !== undefined) {
        await this.withLock(p, name, async () => {
          blobCrashPoint(name, 'locked');
          const current = await fsp.stat(p, { bigint: true }).then(etagOf, (err) => {
            if (codeOf(err) === 'ENOENT') return undefined;
            throw err;
          });
          if (current !== cond.ifMatch) throw new PreconditionFailed(name, 'changed since it was read');
          await fsp.rename(tmp, p);
        });
      } else await fsp.rename(tmp, p);
      blobCrashPoint(name, 'published');
      await syncDir(dir);
      return etagOf(await fsp.stat(p, { bigint: true }));
    } catch (err) {
      await fsp.unlink(tmp).catch(() => undefined);
      if (err instanceof PreconditionFailed) throw err;
      throw this.failure('write', name, err);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await fsp.unlink(this.pathOf(name));
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw this.failure('delete', name, err);
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (codeOf(err) === 'ENOENT') return;
        throw this.failure('list', rel || '.', err);
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const name = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (name.startsWith(prefix) || prefix.startsWith(`${name}/`)) await walk(path.join(dir, e.name), name);
        } else if (e.isFile() && name.startsWith(prefix)) {
          const st = await fsp.stat(path.join(dir, e.name)).catch(() => undefined);
          if (st !== undefined) out.push({ name, size: st.size, lastModified: st.mtimeMs });
        }
      }
    };
    await walk(this.root, '');
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async withLock<T>(p: string, name: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${p}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    // the lock whole before it has its name: whoever finds it finds its holder (a crash leaves the temporary file,
    // which the next open removes, never an empty lock)
    const whole = path.join(path.dirname(lock), tempName(path.basename(lock)));
    await fsp.writeFile(whole, LOCK_HOLDER, { flag: 'wx' });
    try {
      for (;;) {
        try {
          await fsp.link(whole, lock);
          break;
        } catch (err) {
          if (codeOf(err) !== 'EEXIST') throw err;
          if (await breakAbandonedLock(lock)) continue;
          if (Date.now() > deadline) throw new StoreError(`${name}: the lock ${lock} has been held for too long`);
          await new Promise((r) => setTimeout(r, 2 + Math.random() * 5));
        }
      }
    } finally {
      await fsp.unlink(whole).catch(() => undefined);
    }
    try {
      return await fn();
    } finally {
      await fsp.unlink(lock).catch(() => undefined);
    }
  }

  private failure(what: string, name: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    return new StoreError(`cannot ${what} ${name} in ${this.root} (${codeOf(err)})`, { cause: err });
  }
}

/**
 * Removes `lock` if its holder is gone (see holderGone), or whoever it is once the lock is LOCK_STALE_MS old; true
 * when the lock is gone (try again). Of several processes breaking one lock, one wins: the lock is renamed aside
 * first (one rename succeeds), and given back when what was renamed is not the lock judged abandoned but a new
 * holder's, taken in between.
 */
async function breakAbandonedLock(lock: string): Promise<boolean> {
  let seen: { ino: number; mtimeMs: number; holder: string };
  try {
    // one handle: the holder read and the inode are those of the same file
    const fh = await fsp.open(lock, 'r');
    try {
      const st = await fh.stat();
      seen = { ino: st.ino, mtimeMs: st.mtimeMs, holder: await fh.readFile('latin1') };
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return true;
    throw err;
  }
  const age = Date.now() - seen.mtimeMs;
  if (age <= LOCK_STALE_MS && !holderGone(seen.holder, age)) return false;
  const aside = path.join(path.dirname(lock), tempName(path.basename(lock)));
  try {
    await fsp.rename(lock, aside);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return true;
    throw err;
  }
  const moved = await fsp.stat(aside);
  if (moved.ino !== seen.ino) {
    // a new holder's lock: put it back (unless yet another was taken meanwhile) and wait for it
    await fsp.link(aside, lock).catch(() => undefined);
    await fsp.unlink(aside).catch(() => undefined);
    return false;
  }
  await fsp.unlink(aside).catch(() => undefined);
  return true;
}

/**
 * True when a lock's holder (`<host> <pid> <token>`) was a process of this host that has ended: its pid runs no
 * more, or it is this process's pid with another token (an earlier process that had the pid: a restarted
 * container's server often gets the same one). A lock naming no holder (empty or torn) is gone once `age` is past
 * LOCK_UNNAMED_MS.
 */
function holderGone(holder: string, age: number): boolean {
  const m = /^(\S+) ([0-9]+)(?: ([0-9a-f]+))?\n$/.exec(holder);
  if (m === null) return age > LOCK_UNNAMED_MS;
  if (m[1] !== HOST) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return m[3] !== undefined && m[3] !== TOKEN;
  return pidGone(pid);
}

/** True when no process `pid` runs on this host (this process runs). */
function pidGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return codeOf(err) === 'ESRCH';
  }
}

/**
 * Removes the temporary files of writers that died while writing (killed between writing a blob and publishing
 * it): those of a process of this host that no longer runs, and any not written to for TEMP_STALE_MS. A torn
 * snapshot is as large as the snapshot; without this they would pile up, one per crash.
 */
async function removeLeftovers(dir: string): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) await removeLeftovers(file);
    if (!e.isFile() || !e.name.startsWith('.tmp-')) continue;
    const m = /-([0-9]+)-[0-9]+$/.exec(e.name);
    const ours = m !== null && e.name.slice(0, m.index).endsWith(`-${HOST}`);
    let gone = ours && pidGone(Number(m![1]));
    if (!gone) {
      const st = await fsp.stat(file).catch(() => undefined);
      gone = st !== undefined && Date.now() - st.mtimeMs > TEMP_STALE_MS;
    }
    if (gone) await fsp.unlink(file).catch(() => undefined);
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
}

function etagOf(st: import('node:fs').BigIntStats): string {
  return `${st.ino.toString(36)}-${st.size.toString(36)}-${st.mtimeNs.toString(36)}`;
}

async function writeDurably(file: string, body: Uint8Array | AsyncIterable<Uint8Array>, name: string): Promise<void> {
  const fh = await fsp.open(file, 'wx');
  try {
    if (!(body instanceof Uint8Array)) {
      let first = true;
      for await (const piece of body) {
        await fh.write(piece);
        if (first) blobCrashPoint(name, 'partial');
        first = false;
      }
    } else if (crashPointsArmed() && body.length > 1) {
      // a crash test: half the file, the point, then the rest
      await fh.writeFile(body.subarray(0, body.length >> 1));
      blobCrashPoint(name, 'partial');
      await fh.writeFile(body.subarray(body.length >> 1));
    } else await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
