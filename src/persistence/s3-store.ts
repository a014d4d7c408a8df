/**
 * BlobStore on S3 or an S3-compatible server: blob `name` is the object `prefix/name` of one bucket
 * (`s3://bucket/prefix`).
 *
 * - Conditional puts are S3's: `If-None-Match: *` and `If-Match: <etag>` on PutObject, and on CompleteMultipartUpload
 *   for a streamed body (lib-storage's Upload passes its params on to CompleteMultipartUpload). 412
 *   PreconditionFailed and 409 ConditionalRequestConflict (two conditional writes racing) are PreconditionFailed.
 * - ETags are kept in the quoted form S3 returns, so what `put` returns goes back as `ifMatch` / `ifNoneMatch`.
 * - `get` with `ifNoneMatch` is a conditional GET: 304 is 'not-modified'.
 * - `getStream` reads a large object as ranges (RANGE_SIZE each, RANGE_CONCURRENCY in flight, yielded in order), all
 *   pinned with `If-Match` to the ETag of the first, and each answer's ETag checked too (servers that ignore If-Match
 *   still say which version they sent): an object replaced mid-read is an error, never a mix of two versions.
 * - Every other failure is a StoreError saying what an operator can fix (endpoint unreachable, credentials rejected,
 *   no such bucket, throttled), never a secret. The SDK's retry strategy handles throttling and 5xx.
 *
 * `S3BlobStore.open` probes the server: it creates a probe object with `If-None-Match: *` twice. A server that
 * accepts the second (s3rver; MinIO until 2024) does not enforce conditional writes: `fenced` is false and
 * `probeResult` says why. The probe object is deleted either way.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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

export const RANGE_SIZE = 8 * 1024 * 1024;
export const RANGE_CONCURRENCY = 4;
export const PART_SIZE = 8 * 1024 * 1024;
export const PART_CONCURRENCY = 4;
/** where the open-time probe writes, under the store's prefix; list() never shows it */
export const PROBE_DIR = '.probe';

export interface S3StoreOptions {
  bucket: string;
  /** key prefix, without leading or trailing '/' (they are removed); '' for the bucket's root */
  prefix?: string;
  /** default: the SDK's chain (AWS_REGION, the profile), or us-east-1 for an explicit endpoint */
  region?: string;
  /** an S3-compatible server's URL; default: AWS_ENDPOINT_URL_S3, else AWS S3 */
  endpoint?: string;
  /** default: true when an endpoint is given (most S3-compatible servers want path-style) */
  forcePathStyle?: boolean;
  /** a ready client (tests); region, endpoint, forcePathStyle, timeouts and maxAttempts are then ignored */
  client?: S3Client;
  /** ms to establish a connection (default 5000) */
  connectTimeoutMs?: number;
  /** ms a socket may stay silent during a request (default 30000) */
  idleTimeoutMs?: number;
  /** attempts per request, for the SDK's standard retry strategy (default 5) */
  maxAttempts?: number;
  /** open without the probe (which writes) and refuse put/delete: inspection tools */
  readOnly?: boolean;
  /**
   * skip the probe and take conditional writes as enforced: for AWS S3 itself (which enforces them), where the
   * probe's three requests would lengthen every Lambda cold start
   */
  knownFenced?: boolean;
  rangeSize?: number;
  rangeConcurrency?: number;
  partSize?: number;
  partConcurrency?: number;
}

/** `s3://bucket/some/prefix` → { bucket, prefix } */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (m === null || m[1] === '') throw new Error(`not an s3:// URL: '${url}'`);
  return { bucket: m[1]!, prefix: trimSlashes(m[2]!) };
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  /** false until `probe()` shows the server enforces conditional writes (open() probes) */
  fenced = false;
  probeResult = 'not probed';
  /** the server refuses conditional headers outright (501): puts are sent without them, unfenced */
  private dropConditions = false;
  private readonly readOnly: boolean;
  private readonly endpointLabel: string;
  private readonly rangeSize: number;
  private readonly rangeConcurrency: number;
  private readonly partSize: number;
  private readonly partConcurrency: number;

  constructor(opts: S3StoreOptions) {
    if (opts.bucket === '' || opts.bucket.includes('/')) throw new Error(`invalid bucket name '${opts.bucket}'`);
    this.bucket = opts.bucket;
    this.prefix = trimSlashes(opts.prefix ?? '');
    this.readOnly = opts.readOnly ?? false;
    const endpoint = opts.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || undefined);
    if (opts.client !== undefined) this.client = opts.client;
    else {
      const config: S3ClientConfig = {
        forcePathStyle: opts.forcePathStyle ?? endpoint !== undefined,
        maxAttempts: opts.maxAttempts ?? 5,
        requestHandler: {
          connectionTimeout: opts.connectTimeoutMs ?? 5_000,
          socketTimeout: opts.idleTimeoutMs ?? 30_000,
        },
      };
      const region =
        opts.region ??
        (process.env.AWS_REGION ||
          process.env.AWS_DEFAULT_REGION ||
          (endpoint !== undefined ? 'us-east-1' : undefined));
      if (region !== undefined) config.region = region;
      if (endpoint !== undefined) config.endpoint = endpoint;
      this.client = new S3Client(config);
    }
    this.endpointLabel =
      endpoint !== undefined
        ? `S3 endpoint ${withoutUserInfo(endpoint)}`
        : opts.client !== undefined
          ? 'the S3 endpoint'
          : 'AWS S3';
    this.description = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}${endpoint !== undefined ? ` at ${withoutUserInfo(endpoint)}` : ''}`;
    this.rangeSize = opts.rangeSize ?? RANGE_SIZE;
    this.rangeConcurrency = opts.rangeConcurrency ?? RANGE_CONCURRENCY;
    this.partSize = opts.partSize ?? PART_SIZE;
    this.partConcurrency = opts.partConcurrency ?? PART_CONCURRENCY;
  }

  /** A store that has been probed: it can write to the bucket, and `fenced` says whether conditions are enforced. */
  static async open(opts: S3StoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(opts);
    if (opts.knownFenced === true && !store.readOnly) {
      store.fenced = true;
      store.probeResult = `${store.description} is AWS S3: conditional writes enforced (not probed)`;
    } else if (!store.readOnly) await store.probe();
    return store;
  }

  /**
   * Creates `<prefix>/.probe/<random>` with If-None-Match: * twice: the second must fail with 412 (or 409). Sets
   * `fenced` and `probeResult`; throws a StoreError when the bucket cannot be written at all.
   */
  async probe(): Promise<boolean> {
    const rel = `${PROBE_DIR}/${process.pid}-${randomBytes(6).toString('hex')}`;
    const key = this.keyOf(rel);
    const put = () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.from('probe'), IfNoneMatch: '*' }),
      );
    let created = false;
    try {
      try {
        await put();
        created = true;
      } catch (err) {
        if (statusOf(err) !== 501 && codeOf(err) !== 'NotImplemented') throw this.failure('write', rel, err);
        // conditional headers refused outright: write without them, unfenced
        this.dropConditions = true;
        this.fenced = false;
        this.probeResult = `${this.description} refuses conditional writes (${codeOf(err)}): writes are not fenced`;
        await this.client
          .send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.from('probe') }))
          .catch((e) => {
            throw this.failure('write', rel, e);
          });
        created = true;
        return false;
      }
      try {
        await put();
        this.fenced = false;
        this.probeResult =
          `${this.description} ignores conditional writes (a second If-None-Match: * PUT of one key succeeded): ` +
          'a second writer cannot be fenced off';
      } catch (err) {
        const status = statusOf(err);
        if (status !== 412 && status !== 409) throw this.failure('write', rel, err);
        this.fenced = true;
        this.probeResult = `${this.description} enforces conditional writes (a second If-None-Match: * PUT answered ${status})`;
      }
      return this.fenced;
    } finally {
      // (nothing to delete, and no second error to hide the first, when the probe could not be written)
      if (created)
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((err) => {
          throw this.failure('delete', rel, err);
        });
    }
  }

  private keyOf(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  private where(name: string): string {
    return `s3://${this.bucket}/${this.keyOf(name)}`;
  }

  async get(name: string, opts: { ifNoneMatch?: string } = {}): Promise<Blob | 'not-modified' | undefined> {
    checkName(name);
    let res: GetObjectCommandOutput;
    try {
      res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name), IfNoneMatch: opts.ifNoneMatch }),
      );
    } catch (err) {
      if (statusOf(err) === 304) return 'not-modified';
      if (isNoSuchKey(err)) return undefined;
      throw this.failure('read', name, err);
    }
    try {
      const body = Buffer.from(await res.Body!.transformToByteArray());
      return { etag: res.ETag ?? '', body };
    } catch (err) {
      throw this.failure('read', name, err);
    }
  }

  async getStream(name: string): Promise<BlobStream | undefined> {
    checkName(name);
    const key = this.keyOf(name);
    let first: GetObjectCommandOutput;
    try {
      first = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${this.rangeSize - 1}` }),
      );
    } catch (err) {
      if (isNoSuchKey(err)) return undefined;
      // S3 answers 416 to a range of an empty object
      if (statusOf(err) === 416 || codeOf(err) === 'InvalidRange') return this.getWhole(name);
      throw this.failure('read', name, err);
    }
    const etag = first.ETag ?? '';
    const total = /\/(\d+)$/.exec(first.ContentRange ?? '');
    // no Content-Range: the server sent the whole object (it ignored Range, or the object is empty)
    const size = total !== null ? Number(total[1]) : (first.ContentLength ?? 0);
    const firstEnd = total !== null ? Math.min(size, this.rangeSize) : size;
    const firstBody = first.Body as AsyncIterable<Uint8Array>;
    const fetchRange = (start: number, end: number, signal: AbortSignal) => this.range(name, etag, start, end, signal);
    const { rangeSize, rangeConcurrency } = this;
    const failure = (err: unknown) => this.failure('read', name, err);
    async function* pieces(): AsyncGenerator<Uint8Array> {
      const ac = new AbortController();
      const inflight: Promise<Uint8Array>[] = [];
      let next = firstEnd;
      const launch = () => {
        while (inflight.length < rangeConcurrency && next < size) {
          const start = next;
          const end = Math.min(size, start + rangeSize);
          next = end;
          const p = fetchRange(start, end, ac.signal);
          p.catch(() => undefined); // awaited in order below; an abandoned one must not be unhandled
          inflight.push(p);
        }
      };
      try {
        launch();
        let got = 0;
        try {
          // an empty object has nothing to read (s3rver even announces a byte it never sends)
          if (firstEnd > 0)
            for await (const piece of firstBody) {
              got += piece.length;
              yield piece;
            }
        } catch (err) {
          throw failure(err);
        }
        if (got !== firstEnd)
          throw new StoreError(`${name}: the first range of ${key} ended after ${got} of ${firstEnd} bytes`);
        while (inflight.length > 0) {
          const piece = await inflight.shift()!;
          launch();
          yield piece;
        }
      } finally {
        ac.abort();
        (firstBody as Partial<Readable>).destroy?.();
      }
    }
    return { etag, size, body: pieces() };
  }

  private async getWhole(name: string): Promise<BlobStream | undefined> {
    const b = await this.get(name);
    if (b === undefined || b === 'not-modified') return undefined;
    const body = b.body;
    async function* one(): AsyncGenerator<Uint8Array> {
      if (body.length > 0) yield body;
    }
    return { etag: b.etag, size: body.length, body: one() };
  }

  /** bytes [start, end) of the version `etag` of the blob */
  private async range(
    name: string,
    etag: string,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const changed = () =>
      new StoreError(
        `${this.where(name)} was replaced while it was being read (it was version ${etag}): read it again`,
      );
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(name),
          Range: `bytes=${start}-${end - 1}`,
          IfMatch: etag,
        }),
        { abortSignal: signal },
      );
      const bytes = await res.Body!.transformToByteArray();
      if (res.ETag !== undefined && res.ETag !== etag) throw changed();
      if (bytes.length !== end - start)
        throw new StoreError(`${this.where(name)}: range ${start}-${end - 1} returned ${bytes.length} bytes`);
      return bytes;
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (statusOf(err) === 412 || isNoSuchKey(err)) throw changed();
      throw this.failure('read', name, err);
    }
  }

  async put(name: string, body: Uint8Array | AsyncIterable<Uint8Array>, cond?: PutCondition): Promise<string> {
    checkName(name);
    if (this.readOnly) throw new StoreError(`cannot write ${this.where(name)}: the store was opened read-only`);
    const key = this.keyOf(name);
    const condition =
      cond === undefined || this.dropConditions
        ? {}
        : 'ifNoneMatch' in cond
          ? { IfNoneMatch: cond.ifNoneMatch }
          : { IfMatch: cond.ifMatch };
    try {
      if (body instanceof Uint8Array) {
        const res = await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length, ...condition }),
        );
        return res.ETag ?? '';
      }
      return await this.upload(key, body, condition);
    } catch (err) {
      const lost =
        statusOf(err) === 412 ||
        statusOf(err) === 409 ||
        // S3 answers 404 to If-Match when there is no object at all
        (isNoSuchKey(err) && cond !== undefined && 'ifMatch' in cond);
      if (cond !== undefined && lost)
        throw new PreconditionFailed(
          name,
          'ifNoneMatch' in cond
            ? 'already exists'
            : statusOf(err) === 409
              ? 'a concurrent write conflicted'
              : 'changed since it was read',
        );
      throw this.failure('write', name, err);
    }
  }

  /**
   * A body of unknown length: lib-storage's Upload, which sends one PutObject when it fits in one part, else a
   * multipart upload whose CompleteMultipartUpload carries the condition, and aborts the upload when a part or the
   * completion fails. Upload's other part uploaders go on reading the body after one part failed, so the body is cut
   * short as soon as a request fails: nothing more is read or sent for an upload that will be aborted.
   */
  private async upload(
    key: string,
    body: AsyncIterable<Uint8Array>,
    condition: { IfNoneMatch?: string; IfMatch?: string },
  ): Promise<string> {
    let failed = false;
    const client = this.client;
    const watched = {
      config: client.config,
      send: ((command: Parameters<S3Client['send']>[0], options?: Parameters<S3Client['send']>[1]) =>
        client.send(command, options).catch((err: unknown) => {
          failed = true;
          throw err;
        })) as S3Client['send'],
    } as unknown as S3Client;
    async function* until(): AsyncGenerator<Uint8Array> {
      for await (const piece of body) {
        if (failed) return;
        yield piece;
      }
    }
    const upload = new Upload({
      client: watched,
      params: { Bucket: this.bucket, Key: key, Body: Readable.from(until()), ...condition },
      partSize: this.partSize,
      queueSize: this.partConcurrency,
    });
    const res = await upload.done();
    return res.ETag ?? '';
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    if (this.readOnly) throw new StoreError(`cannot delete ${this.where(name)}: the store was opened read-only`);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
    } catch (err) {
      if (isNoSuchKey(err)) return;
      throw this.failure('delete', name, err);
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ContinuationToken: token }),
        );
      } catch (err) {
        throw this.failure('list', `${prefix}*`, err);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || !o.Key.startsWith(base)) continue;
        const name = o.Key.slice(base.length);
        if (name.startsWith(`${PROBE_DIR}/`)) continue;
        out.push({ name, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A StoreError an operator can act on, for a failed request; never the credentials or a signature. */
  private failure(what: 'read' | 'write' | 'delete' | 'list', name: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const doing = `cannot ${what} ${this.where(name)}`;
    const code = codeOf(err);
    const status = statusOf(err);
    const attempts = (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
    const tries = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
    const netCode = networkCodeOf(err);
    let why: string;
    if (code === 'TimeoutError' || code === 'RequestTimeout' || netCode === 'ETIMEDOUT')
      why = `${this.endpointLabel} did not answer in time (${code})${tries}`;
    else if (netCode !== undefined) why = `${this.endpointLabel} is unreachable (${netCode})${tries}`;
    else if (code === 'CredentialsProviderError')
      why =
        'no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)';
    else if (CREDENTIAL_CODES.has(code))
      why =
        code === 'AccessDenied'
          ? `credentials rejected (AccessDenied): they are not allowed to ${what} in bucket ${this.bucket}`
          : `credentials rejected by ${this.endpointLabel} (${code}): check the access key and secret`;
    else if (code === 'NoSuchBucket') why = `bucket ${this.bucket} does not exist (at ${this.endpointLabel})`;
    else if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || status === 301)
      why = `bucket ${this.bucket} is in another region than the one configured (${code}): set AWS_REGION`;
    else if (code === 'SlowDown' || status === 503)
      why = `S3 is throttling requests (${status ?? 503} ${code})${tries}: try again later or lower the write rate`;
    else if (status !== undefined && status >= 500) why = `S3 failed (${status} ${code})${tries}`;
    else if (status !== undefined) why = `S3 answered ${status} ${code}${tries}`;
    else why = `${code}${tries}`;
    return new StoreError(`${doing}: ${why}`, { cause: err });
  }
}

const NETWORK_CODES = new Set([
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

const CREDENTIAL_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** The S3 error code (the SDK's error name), or Node's errno code, or the error's class name. */
function codeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { Code?: string; name?: string; code?: string };
    const name = e.Code ?? e.name ?? 'Error';
    if (name !== 'Error' && name !== 'Unknown' && name !== 'UnknownError') return name;
    return networkCodeOf(err) ?? e.code ?? name;
  }
  return typeof err;
}

/**
 * Node's errno code of a failed connection. The SDK can hand it over only as text ('AWS SDK error wrapper for
 * Error: connect ECONNREFUSED …' when the error is not an `instanceof Error` of its realm, as under jest), so the
 * message is read too.
 */
function networkCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const m = /\b(E[A-Z_]{4,})\b/.exec(String((err as { message?: unknown })?.message ?? ''));
  return m !== null && NETWORK_CODES.has(m[1]!) ? m[1] : undefined;
}

function isNoSuchKey(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'NoSuchKey' || code === 'NotFound';
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid endpoint URL)';
  }
}
