/**
 * S3 Inventory import: every current object listed by an S3 Inventory report, read from its manifest.json and its
 * gzip CSV data files, delivered to `onPage` like the crawler delivers a listing (the same `CrawledObject` rows). A
 * daily inventory is the cheap way to backfill hundreds of millions of keys: a few GETs of compressed files instead
 * of one ListObjectsV2 request per 1,000 keys.
 *
 * The inventory, as AWS documents it (Amazon S3 User Guide, "Amazon S3 inventory list", "Inventory manifest"):
 *  - `manifest.json` (destination-prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json) holds
 *    `sourceBucket`, `destinationBucket` (an ARN, arn:aws:s3:::name), `version`, `creationTimestamp` (ms since the
 *    epoch as a string: when the report started scanning the bucket), `fileFormat` (CSV | ORC | Parquet),
 *    `fileSchema` (for CSV: the column names, comma-separated, e.g. "Bucket, Key, VersionId, IsLatest, IsDeleteMarker,
 *    Size, LastModifiedDate, ETag, StorageClass, ...") and `files`: [{ key, size, MD5checksum }], the data files in
 *    the destination bucket with the MD5 (hex) of each compressed file.
 *  - A CSV data file is gzip-compressed, has no header row, and quotes every value. Columns are found by name from
 *    `fileSchema` (names trimmed), never by position: the optional fields chosen in the inventory's configuration
 *    decide which columns exist. Bucket, Key, Size, LastModifiedDate and ETag are required here; StorageClass is
 *    optional ('STANDARD' without it). VersionId / IsLatest / IsDeleteMarker exist in an inventory of all versions.
 *  - The Key column is URL-encoded ("must be decoded before you can use it", the guide says, and no more). What
 *    AWS writes is form encoding (as Java's URLEncoder): a space as '+' (reported by users, e.g.
 *    cloud-custodian/cloud-custodian#1997), so a literal '+' as %2B, and other bytes outside [A-Za-z0-9.*_-] as %XX
 *    of their UTF-8 bytes. Keys are decoded with `decodeUrlKey` ('+' -> space, then percent-decoding of UTF-8):
 *    exact for that encoding, and for the %20 variant too, whether or not '/' is encoded (a literal '+' is never
 *    left bare by either). A key that does not decode to UTF-8 is an error.
 *  - Only ORC and Parquet files are written for those formats; they are refused with a clear error (CSV only here).
 *
 * What is delivered: rows of the source bucket (a row naming another bucket fails the import) whose decoded key
 * starts with `prefix`; with IsDeleteMarker, not delete markers; with IsLatest, only the current version. Counted
 * in `skipped`, in this order of precedence: outsidePrefix, deleteMarkers, noncurrent. ETag without quotes,
 * LastModifiedDate (ISO 8601) as ms since the epoch, Size as a number.
 *
 * Streaming: each data file is read as GetObject body -> MD5 of the compressed bytes -> gunzip -> CSV parser -> rows,
 * with back-pressure: a file's reader waits for its page to be delivered before it reads on, so memory holds about
 * `concurrency` pages, never a whole file. Pages hold rows of one file only, `pageSize` rows except a file's last.
 * `onPage` calls never overlap (the next waits for the promise the last one returned); files are read `concurrency`
 * at a time, in manifest order, and their pages interleave.
 *
 * Checksums: the MD5 of each file's compressed bytes is compared with the manifest's MD5checksum when the file has
 * been read to its end, BEFORE its last page is delivered. So a file of at most `pageSize` rows is verified before
 * any of its rows is delivered; from a larger file, `onPage` may already have seen full pages when the mismatch is
 * found. A mismatch fails the import with an error naming the file: the caller must treat the import as failed
 * (the rows it saw are rows the inventory lists, only possibly corrupt ones). Re-importing is idempotent.
 *
 * Retries (the crawler's rules): a failure reading a file (throttling 503 SlowDown, a 5xx, a timeout, a network
 * error, before the body or in the middle of it) is retried with full-jitter exponential backoff, up to `maxRetries`
 * times per file; other errors (403, a corrupt gzip, a malformed row, a missing file) fail the import at once. A
 * retry reads the file again from its first byte (a gzip stream cannot be resumed; the MD5 covers the whole file)
 * and skips the CSV records that were already dealt with (delivered, or counted as skipped, up to the last page
 * delivered): records are in a fixed order, so every row is delivered exactly once. A retry asks with If-Match the
 * ETag the first response had, so a file replaced in between fails (412) instead of mixing two versions.
 *
 * Errors name what failed: the manifest (not found, not JSON, fields missing, unsupported format), a data file
 * (missing, unreadable, not gzip, MD5 mismatch) or a record (file and record number). The first failure stops the
 * other files' reads and rejects the import; `signal` aborts it (no `onPage` call starts after the abort). An error
 * thrown by `onPage` is never retried: it rejects the import as it is.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { type CrawledObject, abortError as crawlAbortError, isRetryable, sleep } from './crawl';
import { decodeUrlKey } from './keyspace';

/** An error of the import itself (manifest, data file, record), with what caused it as `cause` when there is one. */
export class InventoryError extends Error {
  override name = 'InventoryError';
}

/** s3://bucket/path/manifest.json, or a folder (s3://bucket/path/, s3://bucket) meaning its manifest.json. */
export function parseManifestUri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/is.exec(uri);
  if (!m) throw new InventoryError(`not an S3 URI: ${JSON.stringify(uri)} (expected s3://bucket/path/manifest.json)`);
  let key = m[2] ?? '';
  if (key === '' || key.endsWith('/')) key += 'manifest.json';
  return { bucket: m[1]!, key };
}

export interface InventoryFile {
  /** its key in the destination bucket */
  key: string;
  /** compressed bytes */
  size: number;
  /** MD5 of the compressed file, lower-case hex */
  md5: string;
}

export interface InventoryManifest {
  sourceBucket: string;
  /** the bucket name (from the manifest's ARN) holding the data files */
  destinationBucket: string;
  version?: string;
  /** creationTimestamp: ms since the epoch */
  createdAt: number;
  fileFormat: string;
  /** the column names, trimmed */
  fileSchema: string[];
  files: InventoryFile[];
}

export interface InventoryProgress {
  /** data files in the manifest */
  files: number;
  filesDone: number;
  /** rows delivered */
  objects: number;
  /** compressed bytes read (re-reads after a retry included) */
  bytes: number;
  /** the compressed bytes of all the data files, from the manifest */
  totalBytes: number;
  /** failed reads (retried or not) */
  errors: number;
}

export interface InventoryOptions {
  client: Pick<S3Client, 'send'>;
  manifest: { bucket: string; key: string };
  /** only rows whose (decoded) key starts with it */
  prefix?: string;
  /** data files read in parallel (default 4) */
  concurrency?: number;
  /** rows per onPage call (default 1000) */
  pageSize?: number;
  /** retries per file (and for the manifest) of retryable failures (default 8) */
  maxRetries?: number;
  /** first backoff in ms, doubled per attempt, full jitter (default 100) */
  retryBaseMs?: number;
  /** backoff cap in ms (default 5000) */
  retryMaxMs?: number;
  signal?: AbortSignal;
  /**
   * Stops the import cleanly: no file is started after it fires, a file being read stops after its page being
   * delivered, and the import resolves with `remaining` (a Lambda's time limit)
   */
  stop?: AbortSignal;
  /** the files a stopped import left (InventoryResult.remaining), instead of every file of the manifest */
  resume?: readonly InventoryFileState[];
  /** a page of rows, all from one data file; calls never overlap (the next waits for a returned promise) */
  onPage(rows: CrawledObject[]): void | Promise<void>;
  onProgress?(p: InventoryProgress): void;
}

/** A data file still to read: its CSV records before `done` were dealt with (its ETag then, asked with If-Match). */
export interface InventoryFileState {
  key: string;
  done: number;
  etag?: string;
}

export interface InventoryResult {
  sourceBucket: string;
  /** the manifest's creationTimestamp (ms since the epoch): when the inventory started scanning the bucket */
  createdAt: number;
  /** data files read */
  files: number;
  /** rows delivered */
  objects: number;
  skipped: { deleteMarkers: number; noncurrent: number; outsidePrefix: number };
  ms: number;
  retries: number;
  /** empty when the import finished; the files left when `stop` fired */
  remaining: InventoryFileState[];
}

/** Thrown inside a file's read when `stop` fired: the file goes to `remaining` with what it had done. */
const STOPPED = Symbol('stopped');

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;

function describe(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' && !err.message.includes(err.name) ? ` (${err.name})` : '';
    return `${err.message || err.name}${name}`;
  }
  return String(err);
}

function errorName(err: unknown): string | undefined {
  return err && typeof err === 'object' ? (err as { name?: string }).name : undefined;
}

function httpStatus(err: unknown): number | undefined {
  return err && typeof err === 'object'
    ? (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    : undefined;
}

// ---- the manifest ----------------------------------------------------------------------------------------------

/** Validates a manifest.json's text; `where` names it in errors. */
export function parseInventoryManifest(text: string, where = 'the manifest'): InventoryManifest {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new InventoryError(`${where} is not an S3 Inventory manifest: not JSON (${describe(err)})`, { cause: err });
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) {
    throw new InventoryError(`${where} is not an S3 Inventory manifest: not a JSON object`);
  }
  const o = j as Record<string, unknown>;
  const bad = (field: string, what: string) =>
    new InventoryError(`${where} is not an S3 Inventory manifest: ${field} ${what}`);
  const str = (field: string): string => {
    const v = o[field];
    if (v === undefined || v === null) throw bad(field, 'is missing');
    if (typeof v !== 'string' || v === '') throw bad(field, `is not a non-empty string: ${JSON.stringify(v)}`);
    return v;
  };

  const sourceBucket = str('sourceBucket');
  const destination = str('destinationBucket');
  const arn = /^arn:[^:]+:s3:::([^/]+)$/.exec(destination);
  if (!arn && !/^[^/:]+$/.test(destination)) throw bad('destinationBucket', `is not a bucket ARN: ${destination}`);
  const destinationBucket = arn ? arn[1]! : destination;

  const fileFormat = str('fileFormat');
  if (fileFormat.toUpperCase() !== 'CSV') {
    throw new InventoryError(`${fileFormat} inventories are not supported: configure the inventory as CSV`);
  }

  const ts = o.creationTimestamp;
  const createdAt = typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : typeof ts === 'number' ? ts : Number.NaN;
  if (ts === undefined) throw bad('creationTimestamp', 'is missing');
  if (!Number.isSafeInteger(createdAt) || createdAt < 0) {
    throw bad('creationTimestamp', `is not ms since the epoch: ${JSON.stringify(ts)}`);
  }

  const fileSchema = str('fileSchema')
    .split(',')
    .map((c) => c.trim());
  if (fileSchema.some((c) => c === '')) throw bad('fileSchema', `has an empty column name: ${o.fileSchema}`);

  if (!Array.isArray(o.files)) throw bad('files', o.files === undefined ? 'is missing' : 'is not an array');
  const files = o.files.map((f: unknown, i: number): InventoryFile => {
    const e = (f ?? {}) as Record<string, unknown>;
    if (typeof e.key !== 'string' || e.key === '') throw bad(`files[${i}].key`, 'is missing');
    const size = typeof e.size === 'string' && /^\d+$/.test(e.size) ? Number(e.size) : e.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw bad(`files[${i}].size`, `is not a size: ${JSON.stringify(e.size)}`);
    }
    if (typeof e.MD5checksum !== 'string' || !/^[0-9a-f]{32}$/i.test(e.MD5checksum)) {
      throw bad(`files[${i}].MD5checksum`, `is not an MD5 in hex: ${JSON.stringify(e.MD5checksum)}`);
    }
    return { key: e.key, size, md5: e.MD5checksum.toLowerCase() };
  });

  const m: InventoryManifest = { sourceBucket, destinationBucket, createdAt, fileFormat, fileSchema, files };
  if (typeof o.version === 'string') m.version = o.version;
  return m;
}

interface Columns {
  count: number;
  bucket: number;
  key: number;
  size: number;
  lastModified: number;
  etag: number;
  storageClass: number | undefined;
  isLatest: number | undefined;
  isDeleteMarker: number | undefined;
}

function resolveColumns(schema: string[], where: string): Columns {
  const at = (name: string) => {
    const i = schema.indexOf(name);
    return i < 0 ? undefined : i;
  };
  const required = ['Bucket', 'Key', 'Size', 'LastModifiedDate', 'ETag'];
  const missing = required.filter((c) => at(c) === undefined);
  if (missing.length > 0) {
    throw new InventoryError(
      `${where}: the inventory has no ${missing.join(', ')} column (fileSchema: ${schema.join(', ')}); ` +
        'configure it with the optional fields Size, Last modified date and ETag',
    );
  }
  return {
    count: schema.length,
    bucket: at('Bucket')!,
    key: at('Key')!,
    size: at('Size')!,
    lastModified: at('LastModifiedDate')!,
    etag: at('ETag')!,
    storageClass: at('StorageClass'),
    isLatest: at('IsLatest'),
    isDeleteMarker: at('IsDeleteMarker'),
  };
}

// ---- helpers ---------------------------------------------------------------------------------------------------

const abortError = (signal: AbortSignal) => crawlAbortError(signal, 'the inventory import');

/** A GetObject body (Node stream, web stream, bytes) as a Node Readable. */
function toReadable(body: unknown, where: string): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof Uint8Array || typeof body === 'string') return Readable.from([Buffer.from(body)]);
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return Readable.from(body as AsyncIterable<Uint8Array>, { objectMode: false });
  }
  throw new InventoryError(`${where}: GetObject returned no readable body`);
}

const isTrue = (v: string | undefined) => v !== undefined && v.toLowerCase() === 'true';

// ---- the import ------------------------------------------------------------------------------------------------

interface FileState {
  /** CSV records dealt with (delivered or counted as skipped) up to the last page delivered: skipped on a retry */
  done: number;
  /** the ETag of the first response, asked with If-Match on retries */
  etag: string | undefined;
  /** set when onPage threw: never retried */
  pageError: { err: unknown } | undefined;
}

interface Skipped {
  deleteMarkers: number;
  noncurrent: number;
  outsidePrefix: number;
}

export async function importInventory(o: InventoryOptions): Promise<InventoryResult> {
  const t0 = performance.now();
  const prefix = o.prefix ?? '';
  const concurrency = Math.max(1, Math.floor(o.concurrency ?? 4));
  const pageSize = Math.max(1, Math.floor(o.pageSize ?? 1000));
  const maxRetries = o.maxRetries ?? 8;
  const retryBaseMs = o.retryBaseMs ?? 100;
  const retryMaxMs = o.retryMaxMs ?? 5000;
  const manifestUri = s3Uri(o.manifest.bucket, o.manifest.key);

  // one controller for the import: the caller's signal, or the first failure, stops every reader
  if (o.signal?.aborted) throw abortError(o.signal);
  const ctl = new AbortController();
  const onOuterAbort = () => ctl.abort(o.signal!.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = ctl.signal;
  const stopped = () => o.stop?.aborted === true;

  const stats = { files: 0, filesDone: 0, objects: 0, bytes: 0, totalBytes: 0, errors: 0, retries: 0 };
  const skipped: Skipped = { deleteMarkers: 0, noncurrent: 0, outsidePrefix: 0 };
  const progress = () =>
    o.onProgress?.({
      files: stats.files,
      filesDone: stats.filesDone,
      objects: stats.objects,
      bytes: stats.bytes,
      totalBytes: stats.totalBytes,
      errors: stats.errors,
    });
  const backoff = (attempt: number) => sleep(Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** attempt), signal);

  async function readManifest(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      try {
        const res = await o.client.send(new GetObjectCommand({ Bucket: o.manifest.bucket, Key: o.manifest.key }), {
          abortSignal: signal,
        });
        const chunks: Buffer[] = [];
        for await (const c of toReadable(res.Body, manifestUri)) chunks.push(Buffer.from(c as Uint8Array));
        return Buffer.concat(chunks).toString('utf8');
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        const name = errorName(err);
        if (name === 'NoSuchBucket') {
          throw new InventoryError(`inventory manifest not found: ${manifestUri} (no bucket ${o.manifest.bucket})`, {
            cause: err,
          });
        }
        if (name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404) {
          throw new InventoryError(`inventory manifest not found: ${manifestUri}`, { cause: err });
        }
        stats.errors++;
        if (attempt >= maxRetries || !isRetryable(err)) {
          throw new InventoryError(`cannot read the inventory manifest ${manifestUri}: ${describe(err)}`, {
            cause: err,
          });
        }
        stats.retries++;
        await backoff(attempt);
      }
    }
  }

  let delivering: Promise<void> = Promise.resolve();
  let failure: { err: unknown } | undefined;

  try {
    const manifest = parseInventoryManifest(await readManifest(), manifestUri);
    const cols = resolveColumns(manifest.fileSchema, manifestUri);
    const source = manifest.sourceBucket;
    const dest = manifest.destinationBucket;
    stats.files = manifest.files.length;
    stats.totalBytes = manifest.files.reduce((n, f) => n + f.size, 0);

    /** A page of one file: delivered in turn; then its records count as done and its skips are committed. */
    async function deliver(state: FileState, batch: CrawledObject[], done: number, pending: Skipped): Promise<void> {
      const turn = delivering.then(async () => {
        if (signal.aborted) return;
        try {
          await o.onPage(batch);
        } catch (err) {
          // stop at once: the next page's turn must not call onPage again
          state.pageError = { err };
          if (!failure) failure = { err };
          ctl.abort(err);
          throw err;
        }
      });
      delivering = turn.catch(() => {});
      await turn;
      if (signal.aborted) throw abortError(signal);
      state.done = done;
      stats.objects += batch.length;
      commit(pending);
      progress();
    }

    function commit(pending: Skipped) {
      skipped.deleteMarkers += pending.deleteMarkers;
      skipped.noncurrent += pending.noncurrent;
      skipped.outsidePrefix += pending.outsidePrefix;
      pending.deleteMarkers = pending.noncurrent = pending.outsidePrefix = 0;
    }

    /** One read of a file from its first byte; records before state.done are passed over. */
    async function readOnce(file: InventoryFile, state: FileState): Promise<void> {
      const uri = s3Uri(dest, file.key);
      let res: GetObjectCommandOutput;
      try {
        res = await o.client.send(new GetObjectCommand({ Bucket: dest, Key: file.key, IfMatch: state.etag }), {
          abortSignal: signal,
        });
      } catch (err) {
        const name = errorName(err);
        if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound' || httpStatus(err) === 404) {
          const noBucket = name === 'NoSuchBucket' ? `, no bucket ${dest}` : '';
          throw new InventoryError(`inventory data file missing: ${uri} (listed in ${manifestUri}${noBucket})`, {
            cause: err,
          });
        }
        if (name === 'PreconditionFailed' || httpStatus(err) === 412) {
          throw new InventoryError(`inventory data file ${uri} changed while it was being read`, { cause: err });
        }
        throw err;
      }
      if (state.etag === undefined && res.ETag) state.etag = res.ETag;

      const body = toReadable(res.Body, uri);
      const hash = createHash('md5');
      let read = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          read += chunk.length;
          stats.bytes += chunk.length;
          cb(null, chunk);
        },
      });
      const gunzip = zlib.createGunzip();
      const parser = parse({ relax_column_count: true, skip_empty_lines: true });
      const flowing = pipeline(body, meter, gunzip, parser, { signal });
      let streamError: { err: unknown } | undefined;
      flowing.catch((err) => {
        streamError ??= { err };
      });

      const pending: Skipped = { deleteMarkers: 0, noncurrent: 0, outsidePrefix: 0 };
      let page: CrawledObject[] = [];
      let n = 0; // records read in this pass
      const bad = (what: string) => new InventoryError(`${uri}: record ${n}: ${what}`);
      try {
        for await (const rec of parser as AsyncIterable<string[]>) {
          n++;
          if (n <= state.done) continue;
          if (rec.length !== cols.count) {
            throw bad(`${rec.length} fields where the manifest's fileSchema has ${cols.count}`);
          }
          if (rec[cols.bucket] !== source) {
            throw bad(`bucket ${JSON.stringify(rec[cols.bucket])}, not the inventory's source bucket ${source}`);
          }
          const raw = rec[cols.key]!;
          let key: string;
          try {
            key = decodeUrlKey(raw);
          } catch {
            throw bad(`Key ${JSON.stringify(raw)} is not URL-encoded UTF-8`);
          }
          if (key === '') throw bad('an empty Key');
          if (!key.startsWith(prefix)) {
            pending.outsidePrefix++;
            continue;
          }
          if (cols.isDeleteMarker !== undefined && isTrue(rec[cols.isDeleteMarker])) {
            pending.deleteMarkers++;
            continue;
          }
          if (cols.isLatest !== undefined && !isTrue(rec[cols.isLatest])) {
            pending.noncurrent++;
            continue;
          }
          const sizeText = rec[cols.size]!;
          if (!/^\d+$/.test(sizeText)) throw bad(`Size ${JSON.stringify(sizeText)} of ${JSON.stringify(key)}`);
          const modified = rec[cols.lastModified]!;
          const lastModified = /^\d{4}-\d\d-\d\dT/.test(modified) ? Date.parse(modified) : Number.NaN;
          if (!Number.isFinite(lastModified)) {
            throw bad(`LastModifiedDate ${JSON.stringify(modified)} of ${JSON.stringify(key)}`);
          }
          page.push({
            key,
            size: Number(sizeText),
            etag: rec[cols.etag]!.replace(/^(W\/)?"|"$/g, ''),
            lastModified,
            storageClass: (cols.storageClass === undefined ? '' : rec[cols.storageClass]) || 'STANDARD',
          });
          if (page.length >= pageSize) {
            const batch = page;
            page = [];
            await deliver(state, batch, n, pending);
            if (stopped()) throw STOPPED;
          }
        }
        await flowing; // every compressed byte went through the hash
      } catch (err) {
        if (err === STOPPED) {
          parser.destroy();
          await flowing.catch(() => {});
          throw err;
        }
        if (err instanceof InventoryError || state.pageError || signal.aborted) throw err;
        await flowing.catch(() => {});
        const cause = streamError?.err ?? err;
        const code = (cause as { code?: unknown })?.code;
        if (typeof code === 'string' && code.startsWith('Z_')) {
          throw new InventoryError(`${uri} is not a valid gzip file: ${describe(cause)}`, { cause });
        }
        if (typeof code === 'string' && code.startsWith('CSV_')) {
          throw new InventoryError(`${uri} is not a valid CSV file: ${describe(cause)}`, { cause });
        }
        throw cause;
      }

      const md5 = hash.digest('hex');
      if (md5 !== file.md5) {
        throw new InventoryError(
          `MD5 mismatch for inventory data file ${uri}: the manifest says ${file.md5}, ` +
            `its ${read} bytes (the manifest says ${file.size}) hash to ${md5}`,
        );
      }
      if (page.length > 0) await deliver(state, page, n, pending);
      state.done = n;
      commit(pending);
    }

    async function readFile(file: InventoryFile): Promise<void> {
      const from = resumeAt.get(file.key);
      const state: FileState = { done: from?.done ?? 0, etag: from?.etag, pageError: undefined };
      const uri = s3Uri(dest, file.key);
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted) throw abortError(signal);
        try {
          await readOnce(file, state);
          break;
        } catch (err) {
          if (err === STOPPED) {
            left.push({ key: file.key, done: state.done, ...(state.etag ? { etag: state.etag } : {}) });
            return;
          }
          if (state.pageError) throw state.pageError.err;
          if (signal.aborted) throw abortError(signal);
          stats.errors++;
          progress();
          if (err instanceof InventoryError) throw err;
          if (attempt >= maxRetries || !isRetryable(err)) {
            const tries = attempt > 0 ? ` (after ${attempt} retries)` : '';
            throw new InventoryError(`cannot read inventory data file ${uri}${tries}: ${describe(err)}`, {
              cause: err,
            });
          }
          stats.retries++;
          await backoff(attempt);
        }
      }
      stats.filesDone++;
      progress();
    }

    const resumeAt = new Map((o.resume ?? []).map((f) => [f.key, f]));
    for (const f of o.resume ?? [])
      if (!manifest.files.some((m) => m.key === f.key))
        throw new InventoryError(
          `${manifestUri} lists no data file ${f.key} (the import to resume read another manifest)`,
        );
    const queue = o.resume === undefined ? [...manifest.files] : manifest.files.filter((f) => resumeAt.has(f.key));
    const left: InventoryFileState[] = [];
    async function worker(): Promise<void> {
      while (!signal.aborted && !stopped()) {
        const file = queue.shift();
        if (!file) return;
        await readFile(file);
      }
    }
    progress();
    const workers = Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, () =>
      worker().catch((err) => {
        if (!failure) failure = { err };
        if (!signal.aborted) ctl.abort(err);
      }),
    );
    await Promise.all(workers);
    await delivering;
    if (failure) throw failure.err;
    if (signal.aborted) throw abortError(signal);
    for (const f of queue) {
      const from = resumeAt.get(f.key);
      left.push(from ?? { key: f.key, done: 0 });
    }
    return {
      remaining: left,
      sourceBucket: source,
      createdAt: manifest.createdAt,
      files: manifest.files.length,
      objects: stats.objects,
      skipped: { ...skipped },
      ms: performance.now() - t0,
      retries: stats.retries,
    };
  } finally {
    o.signal?.removeEventListener('abort', onOuterAbort);
    if (!signal.aborted) ctl.abort(); // nothing left running
  }
}
