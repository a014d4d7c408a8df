/**
 * `s3-index export --format rdb FILE (--data-dir DIR | --store s3://BUCKET/PREFIX)`: the whole dataset of a store,
 * restored into an engine here, written as an RDB file that redis-server loads (persistence/rdb/write.ts).
 *
 * The store is opened read-only and the state loaded as a server restores it (snapshot, then the log after it);
 * nothing is written to the store, so a server may keep running on it (the export is then its last commit seen
 * here). The file is written to FILE.tmp, key by key, and renamed over FILE once complete.
 */
import fs from 'node:fs';
import type { BlobStore } from '../persistence/blob-store';
import { StoreError } from '../persistence/blob-store';
import { CorruptError } from '../persistence/bytes';
import { Durable } from '../persistence/durable';
import { FsBlobStore } from '../persistence/fs-store';
import { writeRdb } from '../persistence/rdb/write';
import { parseS3Url, S3BlobStore } from '../persistence/s3-store';
import { createEngine } from '../service/create-engine';
import { INDEX_WEIGHTS } from '../service/persistence';
import { oneFile, parseStoreArgs, storeTarget } from './store-args';

export const EXPORT_USAGE = `usage: s3-index export --format rdb FILE (--data-dir DIR | --store s3://BUCKET/PREFIX)
  writes the whole dataset of the store as an RDB file (version 10) that redis-server 7 loads: every database,
  key, value and TTL. The store is read only (S3: AWS_ENDPOINT_URL_S3 or S3_INDEX_S3_ENDPOINT, and
  S3_INDEX_S3_PATH_STYLE, for S3-compatible servers).
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const FORMATS = ['rdb'];

async function openStoreReadOnly(where: { dataDir?: string; store?: string }): Promise<BlobStore> {
  if (where.store !== undefined) {
    let at: { bucket: string; prefix: string };
    try {
      at = parseS3Url(where.store);
    } catch (err) {
      throw new StoreError(err instanceof Error ? err.message : String(err));
    }
    const pathStyle = process.env.S3_INDEX_S3_PATH_STYLE;
    return S3BlobStore.open({
      ...at,
      endpoint: process.env.S3_INDEX_S3_ENDPOINT || undefined,
      forcePathStyle: pathStyle ? /^(true|yes|1|on)$/i.test(pathStyle) : undefined,
      readOnly: true,
    });
  }
  return FsBlobStore.open(where.dataDir!, { readOnly: true });
}

/** Writes `write` to `file`.tmp, then renames it to `file`; the temporary is removed on failure. */
async function writeFileAtomically(
  file: string,
  write: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = fs.createWriteStream(tmp);
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure = err;
  });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
    await write(async (chunk) => {
      if (failure !== undefined) throw failure;
      if (!out.write(chunk))
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            out.off('error', onError);
            resolve();
          };
          const onError = (err: Error) => {
            out.off('drain', onDrain);
            reject(err);
          };
          out.once('drain', onDrain);
          out.once('error', onError);
        });
    });
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (failure !== undefined) throw failure;
    fs.renameSync(tmp, file);
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export async function exportCommand(args: readonly string[], io: Io): Promise<number> {
  const usage = (message: string) => {
    io.err(`s3-index export: ${message}\n${EXPORT_USAGE}`);
    return 2;
  };
  const a = parseStoreArgs(args, { valued: ['--format'] });
  if ('error' in a) return usage(a.error);
  if (a.help) {
    io.out(EXPORT_USAGE);
    return 0;
  }
  const format = a.values.get('--format');
  if (format === undefined) return usage('--format is missing (--format rdb)');
  if (!FORMATS.includes(format)) return usage(`unknown format '${format}' (formats: ${FORMATS.join(', ')})`);
  const file = oneFile(a, 'FILE is missing');
  if (typeof file !== 'string') return usage(file.error);
  const target = storeTarget(a);
  if ('error' in target) return usage(target.error);
  const { dataDir, store } = target;
  const where = dataDir ?? store!;
  try {
    const engine = createEngine();
    const backing = await openStoreReadOnly({ dataDir, store });
    const { restored } = await Durable.open(engine, {
      store: backing,
      weights: INDEX_WEIGHTS,
      log: (line) => io.err(`s3-index export: ${line}\n`),
    });
    let result = { keys: 0, bytes: 0 };
    await writeFileAtomically(file, async (sink) => {
      result = await writeRdb(engine.dbs, sink);
    });
    io.out(
      `exported ${result.keys} keys (log position ${restored.seq}) from ${where} to ${file}: ${result.bytes} bytes\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CorruptError || err instanceof StoreError) {
      io.err(`s3-index export: ${where}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
