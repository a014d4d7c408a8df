/**
 * `s3-index import FILE.rdb (--data-dir DIR | --store s3://BUCKET/PREFIX) [--replace]`: the keys of an RDB file
 * (redis-server up to 7.2) added to a store, durably. Also the shared steps `serve --import` runs.
 *
 * Steps: the store is opened read-write and restored as `serve` restores it (snapshot, then the log after it); the
 * file is parsed whole into staging databases (persistence/rdb/read.ts: any problem is an RdbError and nothing is
 * applied); then the keys are applied — a key the store already holds refuses the whole import (BUSYKEY, as RESTORE
 * without REPLACE) unless `--replace`, which overwrites those keys (other keys of the store stay); finally one empty
 * log batch marks the import and a snapshot covering it is committed, so the import is durable once this returns
 * (before the snapshot commits, a crash leaves the store as it was).
 *
 * Left out, and reported: types this server does not have (streams, module values), function libraries, keys
 * already expired, empty collections, and keys under the S3 index's `s3idx:` prefix (only S3IDX commands write them:
 * an index is rebuilt by ingesting or backfilling, and an RDB cannot carry its payloads).
 *
 * An import into a data directory a running server uses is refused (the server marks the directory it serves:
 * FsBlobStore.markServing); in an S3 store, where servers leave no mark, the import commits first and that server
 * is then fenced on its next write and stops. Stop the server first, or start it with `serve --import FILE.rdb`.
 */
import fs from 'node:fs';
import { ConfigError } from '../config';
import type { Engine } from '../engine/engine';
import { INDEX_KEY_PREFIX } from '../index/store';
import { StoreError } from '../persistence/blob-store';
import { CorruptError } from '../persistence/bytes';
import { Durable } from '../persistence/durable';
import {
  type ApplyResult,
  applyRdb,
  describeSummary,
  parseRdb,
  RdbError,
  type RdbSummary,
} from '../persistence/rdb/read';
import { createEngine } from '../service/create-engine';
import { INDEX_WEIGHTS, openStore, type Persistence, refuseIfServed } from '../service/persistence';
import { oneFile, parseStoreArgs, storeTarget } from './store-args';

export const IMPORT_USAGE = `usage: s3-index import FILE.rdb (--data-dir DIR | --store s3://BUCKET/PREFIX) [--replace]
  adds the keys of an RDB file (redis-server 2.6 to 7.2: RDB versions 1 to 11) to the store, with their TTLs and
  databases, and commits a snapshot so the import is durable. A key the store already holds refuses the whole
  import (BUSYKEY) unless --replace, which overwrites it. Streams, module values and functions are skipped and
  reported, as are keys under s3idx: (the S3 index's own). A data directory a running server uses is refused; do
  not import into an S3 store a running server uses either: it would be fenced and stop (use serve --import FILE.rdb). S3: AWS_ENDPOINT_URL_S3 or S3_INDEX_S3_ENDPOINT,
  and S3_INDEX_S3_PATH_STYLE, for S3-compatible servers.
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface RdbImport {
  summary: RdbSummary;
  applied: ApplyResult;
}

/** Why a key of the file is not imported (the S3 index's reserved keys), or undefined. */
const reservedKey = (key: string): string | undefined =>
  key.startsWith(INDEX_KEY_PREFIX) ? `keys under ${INDEX_KEY_PREFIX} (the S3 index's own)` : undefined;

/**
 * Reads the RDB file at `file` (or its bytes) and adds its keys to `engine`. Throws RdbError for a file that cannot
 * be loaded or for keys already present without `replace`; the engine is then unchanged. Synchronous: no command
 * runs while the keys are applied.
 */
export function importRdb(engine: Engine, file: string | Buffer, opts: { replace?: boolean } = {}): RdbImport {
  let bytes: Buffer;
  if (typeof file === 'string') {
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new RdbError(`cannot read ${file}: ${(err as Error).message}`);
    }
  } else bytes = file;
  const now = engine.clock.now();
  const staged = parseRdb(bytes, { databases: engine.dbs.length, now, skipKey: reservedKey });
  const applied = applyRdb(engine.dbs, staged, { replace: opts.replace, now });
  return { summary: staged.summary, applied };
}

/**
 * Makes keys applied to the engine outside the log durable: one empty log batch marks the change (a snapshot needs a
 * log position of its own), then `snapshot` (Durable.snapshot, or the server's BGSAVE) commits the engine's state.
 * Resolves with the log position of the snapshot.
 */
export async function commitImport(durable: Durable, snapshot: () => Promise<unknown>): Promise<number> {
  const seq = durable.appliedSeq + 1;
  durable.appliedSeq = seq;
  await durable.commit([{ seq, now: Date.now(), entries: [] }]);
  await snapshot();
  return seq;
}

/** The lines an import prints: what the file held, what was applied. */
export function describeImport(r: RdbImport, file: string): string[] {
  return [
    ...describeSummary(r.summary),
    `imported ${r.applied.keys} keys from ${file}` +
      (r.applied.replaced > 0 ? ` (${r.applied.replaced} replaced keys already there)` : ''),
  ];
}

/** `--import FILE.rdb` and `--import-replace`, taken out of serve's arguments (the rest are the config's). */
export function takeImportOptions(args: readonly string[]): {
  rest: string[];
  importRdb?: { file: string; replace: boolean };
} {
  const rest: string[] = [];
  let file: string | undefined;
  let replace = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--import-replace') replace = true;
    else if (a === '--import') {
      file = args[i + 1];
      i++;
      if (file === undefined || file === '') throw new ConfigError('--import needs a value (an RDB file)');
    } else if (a.startsWith('--import=')) file = a.slice('--import='.length);
    else rest.push(a);
  }
  if (replace && file === undefined) throw new ConfigError('--import-replace goes with --import FILE.rdb');
  return { rest, importRdb: file === undefined ? undefined : { file, replace } };
}

/**
 * `--import`: the file's keys added to the restored engine (synchronously: no client is served meanwhile), then a
 * snapshot committed so they are durable. Without a store they are in memory only.
 */
export async function importAtStart(
  engine: Engine,
  what: { file: string; replace?: boolean },
  log: (line: string) => void,
  persistence: Persistence | undefined,
): Promise<void> {
  let r: RdbImport;
  try {
    r = importRdb(engine, what.file, { replace: what.replace });
  } catch (err) {
    if (err instanceof RdbError) err.message = `--import ${what.file}: ${err.message}`;
    throw err;
  }
  for (const line of describeImport(r, what.file)) log(line);
  if (persistence === undefined) {
    log('--import without --data-dir or --store: the imported keys are in memory only');
    return;
  }
  if (r.applied.keys === 0) return;
  const seq = await commitImport(persistence.durable, () => persistence.bgsave());
  log(`the import is durable: snapshot at log position ${seq}`);
}

export async function importCommand(args: readonly string[], io: Io): Promise<number> {
  const usage = (message: string) => {
    io.err(`s3-index import: ${message}\n${IMPORT_USAGE}`);
    return 2;
  };
  const a = parseStoreArgs(args, { flags: ['--replace'] });
  if ('error' in a) return usage(a.error);
  if (a.help) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const file = oneFile(a, 'FILE.rdb is missing');
  if (typeof file !== 'string') return usage(file.error);
  const target = storeTarget(a);
  if ('error' in target) return usage(target.error);
  const { dataDir, store } = target;
  const replace = a.flags.has('--replace');
  const where = dataDir ?? store!;
  const log = (line: string) => io.err(`s3-index import: ${line}\n`);
  try {
    // the file first: a file that does not parse leaves the store untouched (not even opened)
    const bytes = fs.readFileSync(file);
    const pathStyle = process.env.S3_INDEX_S3_PATH_STYLE;
    const backing = await openStore(
      {
        dataDir,
        store,
        s3Endpoint: process.env.S3_INDEX_S3_ENDPOINT || undefined,
        s3PathStyle: pathStyle ? /^(true|yes|1|on)$/i.test(pathStyle) : undefined,
      },
      log,
    );
    await refuseIfServed(backing, 'an import');
    const engine = createEngine();
    const { durable, restored } = await Durable.open(engine, { store: backing!, weights: INDEX_WEIGHTS, log });
    const r = importRdb(engine, bytes, { replace });
    let seq: number | undefined;
    if (r.applied.keys > 0) seq = await commitImport(durable, () => durable.snapshot(engine));
    io.out(`${describeImport(r, file).join('\n')}\n`);
    io.out(
      seq === undefined
        ? `nothing to import: ${where} is unchanged (log position ${restored.seq})\n`
        : `committed to ${where}: a snapshot at log position ${seq}, ${engine.dbs.reduce((n, d) => n + d.size, 0)} keys in all\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof RdbError) {
      io.err(`s3-index import: ${file}: ${err.message}\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code !== undefined && (err as NodeJS.ErrnoException).syscall !== undefined) {
      io.err(`s3-index import: ${(err as Error).message}\n`);
      return 1;
    }
    if (err instanceof CorruptError || err instanceof StoreError) {
      io.err(`s3-index import: ${where}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
