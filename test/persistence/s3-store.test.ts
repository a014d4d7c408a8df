/**
 * S3BlobStore against s3rver (an in-process S3-compatible server on a temporary directory) and against a scripted
 * fake S3 for the faults s3rver cannot produce.
 *
 * What s3rver can and cannot test:
 * - it stores, lists, deletes, answers ranged GETs, multipart uploads, and conditional GETs (If-None-Match → 304);
 * - it ignores If-None-Match / If-Match on PUT and on CompleteMultipartUpload, and If-Match on GET. So the contract's
 *   conditional-write cases run against s3rver behind `conditionalShim`, a client middleware that enforces them
 *   (HeadObject then the write, serialized per key in this process), and are skipped, with the reason printed, in the
 *   plain s3rver run. The probe sees plain s3rver as unfenced and the shim as fenced.
 * - error answers (412, 409, 304 mapping aside), 5xx, throttling, timeouts, refused connections, rejected credentials
 *   and a missing bucket come from `fakeS3`, a local HTTP server with scripted answers: the real SDK parses them, so
 *   the adapter's mapping is tested against what the SDK really throws.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type BlobStore, PreconditionFailed, StoreError } from '../../src/persistence/blob-store';
import { S3BlobStore } from '../../src/persistence/s3-store';
import { blobStoreContract } from './blob-store-contract';

// s3rver ships no types: what this file uses of it
interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver: new (opts: Record<string, unknown>) => S3rver = require('s3rver');

const BUCKET = 'blobs';
const MiB = 1024 * 1024;

// ---- s3rver --------------------------------------------------------------------------------------------------

let server: S3rver | undefined;
let endpoint = '';
const dirs: string[] = [];

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-s3rver-'));
  dirs.push(dir);
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  await s3rverClient().send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  await server?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A client of the s3rver, with s3rver's fixed credentials; `calls` records each command sent. */
function s3rverClient(calls?: Array<{ command: string; input: Record<string, unknown> }>): S3Client {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  if (calls !== undefined)
    client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push({ command: context.commandName ?? '?', input: { ...(args.input as Record<string, unknown>) } });
        return next(args);
      },
      { step: 'initialize', name: 'recordCalls' },
    );
  return client;
}

const s3Error = (name: string, status: number, message: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

/**
 * Conditional writes on top of s3rver, which ignores them: a write carrying If-None-Match or If-Match first reads
 * the object's ETag with HeadObject and fails as S3 does (412; 404 for If-Match with no object), all writes of a key
 * serialized in this process so that check and write are one step.
 */
function conditionalShim(client: S3Client): S3Client {
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    queues.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  };
  const etagOf = (Bucket: string, Key: string) =>
    client.send(new HeadObjectCommand({ Bucket, Key })).then(
      (h) => h.ETag,
      (err) => {
        if ((err as S3ServiceException).$metadata?.httpStatusCode === 404) return undefined;
        throw err;
      },
    );
  const writes = new Set(['PutObjectCommand', 'CompleteMultipartUploadCommand', 'DeleteObjectCommand']);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!writes.has(context.commandName ?? '')) return next(args);
      const input = args.input as { Bucket: string; Key: string; IfNoneMatch?: string; IfMatch?: string };
      return serial(`${input.Bucket}/${input.Key}`, async () => {
        if (input.IfNoneMatch !== undefined || input.IfMatch !== undefined) {
          const current = await etagOf(input.Bucket, input.Key);
          if (input.IfNoneMatch === '*' && current !== undefined)
            throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
          if (input.IfMatch !== undefined && current === undefined)
            throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
          if (input.IfMatch !== undefined && current !== input.IfMatch)
            throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
        }
        return next(args);
      });
    },
    { step: 'initialize', name: 'conditionalShim' },
  );
  return client;
}

let prefixSeq = 0;
const freshPrefix = () => `t${prefixSeq++}/store`;
const rawKeys = async (prefix: string): Promise<string[]> =>
  ((await s3rverClient().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
    (o) => o.Key!,
  );

blobStoreContract(
  's3rver',
  async () => S3BlobStore.open({ bucket: BUCKET, prefix: freshPrefix(), client: s3rverClient(), rangeSize: MiB }),
  {
    skip: {
      'conditional writes':
        's3rver ignores If-None-Match / If-Match on PUT; covered by the run against s3rver with the conditional shim',
    },
  },
);

blobStoreContract('s3rver with the conditional shim', async () =>
  S3BlobStore.open({ bucket: BUCKET, prefix: freshPrefix(), client: conditionalShim(s3rverClient()), rangeSize: MiB }),
);

describe('S3BlobStore probe', () => {
  it('plain s3rver ignores conditional writes: not fenced, and the probe object is gone', async () => {
    const prefix = freshPrefix();
    const store = await S3BlobStore.open({ bucket: BUCKET, prefix, client: s3rverClient() });
    expect(store.fenced).toBe(false);
    expect(store.probeResult).toMatch(/ignores conditional writes .*a second writer cannot be fenced off/);
    expect(await rawKeys(prefix)).toEqual([]);
  });

  it('s3rver with the conditional shim is fenced, and the probe object is gone', async () => {
    const prefix = freshPrefix();
    const store = await S3BlobStore.open({ bucket: BUCKET, prefix, client: conditionalShim(s3rverClient()) });
    expect(store.fenced).toBe(true);
    expect(store.probeResult).toMatch(/enforces conditional writes .*answered 412/);
    expect(await rawKeys(prefix)).toEqual([]);
  });

  it('a bucket that does not exist fails the open with a StoreError naming it', async () => {
    await expect(S3BlobStore.open({ bucket: 'no-such-bucket', prefix: 'p', client: s3rverClient() })).rejects.toThrow(
      /bucket no-such-bucket does not exist/,
    );
  });

  it('stores under the prefix, and parses no leading or trailing slashes into keys', async () => {
    const prefix = freshPrefix();
    const store = await S3BlobStore.open({ bucket: BUCKET, prefix: `/${prefix}/`, client: s3rverClient() });
    await store.put('a/b', Buffer.from('x'));
    expect(await rawKeys(prefix)).toEqual([`${prefix}/a/b`]);
    expect(store.description).toBe(`s3://${BUCKET}/${prefix}`);
  });
});

describe('S3BlobStore large blobs on s3rver', () => {
  it('a 20 MB streamed put is a multipart upload, and getStream reads it back as pinned ranges', async () => {
    const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
    const store = new S3BlobStore({ bucket: BUCKET, prefix: freshPrefix(), client: s3rverClient(calls) });
    const big = Buffer.alloc(20 * MiB + 12344);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    async function* pieces() {
      for (let i = 0; i < big.length; i += 256 * 1024) yield big.subarray(i, i + 256 * 1024);
    }
    const etag = await store.put('snap/big', pieces(), { ifNoneMatch: '*' });
    const names = calls.map((c) => c.command);
    expect(names.filter((n) => n === 'UploadPartCommand').length).toBe(3);
    const complete = calls.find((c) => c.command === 'CompleteMultipartUploadCommand');
    expect(complete?.input.IfNoneMatch).toBe('*');

    calls.length = 0;
    const s = await store.getStream('snap/big');
    expect(s!.etag).toBe(etag);
    expect(s!.size).toBe(big.length);
    const parts: Buffer[] = [];
    for await (const p of s!.body) parts.push(Buffer.from(p));
    expect(Buffer.concat(parts).equals(big)).toBe(true);
    const gets = calls.filter((c) => c.command === 'GetObjectCommand');
    expect(gets.map((g) => g.input.Range)).toEqual([
      `bytes=0-${8 * MiB - 1}`,
      `bytes=${8 * MiB}-${16 * MiB - 1}`,
      `bytes=${16 * MiB}-${big.length - 1}`,
    ]);
    expect(gets.slice(1).every((g) => g.input.IfMatch === etag)).toBe(true);
  });

  it('an empty blob streams as nothing', async () => {
    const store = new S3BlobStore({ bucket: BUCKET, prefix: freshPrefix(), client: s3rverClient() });
    await store.put('empty', new Uint8Array(0));
    const s = await store.getStream('empty');
    expect(s!.size).toBe(0);
    const parts: Uint8Array[] = [];
    for await (const p of s!.body) parts.push(p);
    expect(Buffer.concat(parts).length).toBe(0);
  });
});

// ---- faults s3rver cannot produce: a scripted fake S3 ------------------------------------------------------------

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
}
type Answer = { status: number; headers?: Record<string, string | undefined>; body?: string | Buffer } | 'hang';

/** A local HTTP server answering each request with `script(request)`; records what it saw. */
async function fakeS3(script: (req: SeenRequest) => Answer) {
  const seen: SeenRequest[] = [];
  const hanging: http.ServerResponse[] = [];
  const srv = http.createServer((req, res) => {
    let bodyLength = 0;
    req.on('data', (d: Buffer) => {
      bodyLength += d.length;
    });
    req.on('end', () => {
      const r: SeenRequest = { method: req.method!, url: req.url!, headers: req.headers, bodyLength };
      seen.push(r);
      const a = script(r);
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(
        a.status,
        Object.fromEntries(Object.entries(a.headers ?? {}).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
      );
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      for (const h of hanging) h.destroy();
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    },
  };
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`;
const fail = (status: number, code: string, message = code): Answer => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: errorXml(code, message),
});

const FAKE_KEY_ID = 'AKIAFAKEKEYID0000000';
const FAKE_SECRET = 'fAkE/SeCrEt+KeY/never-to-be-printed-0123';
const messages: string[] = [];

describe('S3BlobStore faults (a scripted fake S3)', () => {
  const saved: Record<string, string | undefined> = {};
  const env = {
    AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_S3: undefined,
  };
  beforeAll(() => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    // nothing any failure said shows the secret, or the request's signature
    expect(messages.length).toBeGreaterThan(8);
    for (const m of messages) {
      expect(m).not.toContain(FAKE_SECRET);
      expect(m).not.toMatch(/Signature=|Credential=/);
    }
  });

  let fake: Awaited<ReturnType<typeof fakeS3>> | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  /** a store on the fake S3, with the store's own client (default credential chain, timeouts, retries) */
  const storeOn = async (script: (req: SeenRequest) => Answer, opts: { maxAttempts?: number } = {}) => {
    fake = await fakeS3(script);
    return new S3BlobStore({
      bucket: 'bkt',
      prefix: 'idx',
      endpoint: fake.url,
      maxAttempts: opts.maxAttempts ?? 2,
      connectTimeoutMs: 1000,
      idleTimeoutMs: 300,
    });
  };
  const failure = async (p: Promise<unknown>, cls: new (...a: never[]) => Error = StoreError): Promise<string> => {
    const err = await p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(cls);
    messages.push((err as Error).message);
    return (err as Error).message;
  };

  it("412 on a put with ifNoneMatch '*' is PreconditionFailed, the header sent", async () => {
    const store = await storeOn(() => fail(412, 'PreconditionFailed'));
    expect(await failure(store.put('seg/1', Buffer.from('x'), { ifNoneMatch: '*' }), PreconditionFailed)).toBe(
      'seg/1: already exists',
    );
    expect(fake!.seen[0]!.headers['if-none-match']).toBe('*');
    expect(fake!.seen[0]!.url).toMatch(/^\/bkt\/idx\/seg\/1/);
  });

  it('409 ConditionalRequestConflict on an ifMatch put is PreconditionFailed, the quoted ETag sent', async () => {
    const store = await storeOn(() => fail(409, 'ConditionalRequestConflict'));
    await failure(store.put('manifest', Buffer.from('x'), { ifMatch: '"abc"' }), PreconditionFailed);
    expect(fake!.seen[0]!.headers['if-match']).toBe('"abc"');
  });

  it('304 on a conditional get is not-modified; a 200 gives the quoted ETag', async () => {
    const store = await storeOn((r) =>
      r.headers['if-none-match'] === '"e1"'
        ? { status: 304, headers: { etag: '"e1"' } }
        : { status: 200, headers: { etag: '"e2"', 'content-length': '3' }, body: 'new' },
    );
    expect(await store.get('m', { ifNoneMatch: '"e1"' })).toBe('not-modified');
    expect(await store.get('m', { ifNoneMatch: '"e0"' })).toEqual({ etag: '"e2"', body: Buffer.from('new') });
  });

  it('500 is a StoreError after the retries', async () => {
    const store = await storeOn(() => fail(500, 'InternalError', 'We encountered an internal error.'));
    expect(await failure(store.put('k', Buffer.from('x')))).toBe(
      'cannot write s3://bkt/idx/k: S3 failed (500 InternalError) after 2 attempts',
    );
    expect(fake!.seen.length).toBe(2);
  });

  it('503 SlowDown is retried by the SDK, and a StoreError saying so when it persists', async () => {
    let n = 0;
    const store = await storeOn(() =>
      n++ === 0
        ? fail(503, 'SlowDown', 'Please reduce your request rate.')
        : { status: 200, headers: { etag: '"ok"' } },
    );
    expect(await store.put('k', Buffer.from('x'))).toBe('"ok"');
    await fake!.close();
    const throttled = await storeOn(() => fail(503, 'SlowDown', 'Please reduce your request rate.'));
    expect(await failure(throttled.get('k'))).toMatch(
      /^cannot read s3:\/\/bkt\/idx\/k: S3 is throttling requests \(503 SlowDown\) after 2 attempts/,
    );
  });

  it('a server that does not answer is a timeout', async () => {
    const store = await storeOn(() => 'hang', { maxAttempts: 1 });
    expect(await failure(store.get('k'))).toMatch(
      /^cannot read s3:\/\/bkt\/idx\/k: S3 endpoint http:\/\/127\.0\.0\.1:\d+ did not answer in time \(TimeoutError\)/,
    );
  });

  it('a refused connection says the endpoint is unreachable', async () => {
    const probe = await fakeS3(() => ({ status: 200 }));
    const url = probe.url;
    await probe.close();
    const store = new S3BlobStore({ bucket: 'bkt', prefix: 'idx', endpoint: url, maxAttempts: 1 });
    expect(await failure(store.list('log/'))).toBe(
      `cannot list s3://bkt/idx/log/*: S3 endpoint ${url} is unreachable (ECONNREFUSED)`,
    );
  });

  it('a name that does not resolve says the endpoint is unreachable', async () => {
    const client = new S3Client({
      endpoint: 'http://s3.example.invalid',
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      requestHandler: {
        handle: async () => {
          throw Object.assign(new Error('getaddrinfo ENOTFOUND s3.example.invalid'), {
            code: 'ENOTFOUND',
            syscall: 'getaddrinfo',
          });
        },
      } as unknown as S3ClientConfig['requestHandler'],
    });
    const store = new S3BlobStore({ bucket: 'bkt', prefix: 'idx', endpoint: 'http://s3.example.invalid', client });
    expect(await failure(store.get('k'))).toBe(
      'cannot read s3://bkt/idx/k: S3 endpoint http://s3.example.invalid is unreachable (ENOTFOUND)',
    );
  });

  it('AccessDenied, InvalidAccessKeyId and SignatureDoesNotMatch: credentials rejected', async () => {
    const codes = ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'];
    let i = 0;
    // S3's SignatureDoesNotMatch carries the string to sign; the message must not pass it on
    const store = await storeOn(() =>
      fail(403, codes[i++ % 3]!, `denied; StringToSign AWS4-HMAC-SHA256 Credential=${FAKE_KEY_ID} ${FAKE_SECRET}`),
    );
    expect(await failure(store.put('k', Buffer.from('x')))).toBe(
      'cannot write s3://bkt/idx/k: credentials rejected (AccessDenied): they are not allowed to write in bucket bkt',
    );
    expect(await failure(store.get('k'))).toMatch(
      /credentials rejected by S3 endpoint http:\/\/127.0.0.1:\d+ \(InvalidAccessKeyId\): check the access key and secret$/,
    );
    expect(await failure(store.delete('k'))).toMatch(/credentials rejected by .* \(SignatureDoesNotMatch\)/);
    expect(fake!.seen.length).toBe(3); // not retried
  });

  it('open() on a bucket it may not write fails with the reason, and the probe of a 409 is fenced', async () => {
    await storeOn(() => fail(403, 'AccessDenied'));
    expect(
      await failure(S3BlobStore.open({ bucket: 'bkt', prefix: 'idx', endpoint: fake!.url, maxAttempts: 1 })),
    ).toMatch(/^cannot write s3:\/\/bkt\/idx\/\.probe\/\S+: credentials rejected \(AccessDenied\)/);
    expect(fake!.seen.map((r) => r.method)).toEqual(['PUT']);
    await fake!.close();
    let puts = 0;
    await storeOn((r) =>
      r.method === 'DELETE'
        ? { status: 204 }
        : puts++ === 0
          ? { status: 200, headers: { etag: '"p"' } }
          : fail(409, 'ConditionalRequestConflict'),
    );
    const store = await S3BlobStore.open({ bucket: 'bkt', prefix: 'idx', endpoint: fake!.url, maxAttempts: 1 });
    expect(store.fenced).toBe(true);
    expect(store.probeResult).toMatch(/enforces conditional writes .*answered 409/);
    expect(fake!.seen.map((r) => r.method)).toEqual(['PUT', 'PUT', 'DELETE']);
  });

  it('NoSuchBucket names the bucket, where a missing key is undefined', async () => {
    const store = await storeOn((r) =>
      r.url.includes('missing')
        ? fail(404, 'NoSuchKey')
        : fail(404, 'NoSuchBucket', 'The specified bucket does not exist'),
    );
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.getStream('missing')).toBeUndefined();
    expect(await failure(store.get('k'))).toMatch(
      /^cannot read s3:\/\/bkt\/idx\/k: bucket bkt does not exist \(at S3 endpoint http:\/\/127.0.0.1:\d+\)$/,
    );
    expect(await failure(store.list(''))).toMatch(/bucket bkt does not exist/);
  });

  it('a ranged read whose object is replaced midway is an error, never mixed data', async () => {
    const R = 1024;
    const v1 = Buffer.alloc(5 * R, 1);
    const v2 = Buffer.alloc(5 * R, 2);
    const ranged = (r: SeenRequest, obj: Buffer, etag: string): Answer => {
      const [a, b] = /bytes=(\d+)-(\d+)/.exec(String(r.headers.range))!.slice(1).map(Number) as [number, number];
      const end = Math.min(b, obj.length - 1);
      return {
        status: 206,
        headers: { etag, 'content-range': `bytes ${a}-${end}/${obj.length}`, 'content-length': String(end - a + 1) },
        body: obj.subarray(a, end + 1),
      };
    };
    // replaced once the third range is asked for, on a server that honours If-Match (S3): 412
    let replaced = false;
    const s1 = await storeOnRanges((r) => {
      if (r.headers.range === `bytes=${2 * R}-${3 * R - 1}`) replaced = true;
      if (replaced) return r.headers['if-match'] === '"v1"' ? fail(412, 'PreconditionFailed') : ranged(r, v2, '"v2"');
      return ranged(r, v1, '"v1"');
    }, R);
    await expectChangedMidway(s1, v1);
    expect(fake!.seen.slice(1).every((r) => r.headers['if-match'] === '"v1"')).toBe(true);

    // on a server that ignores If-Match (s3rver) but says which version it sent
    let n = 0;
    const s2 = await storeOnRanges((r) => (n++ < 2 ? ranged(r, v1, '"v1"') : ranged(r, v2, '"v2"')), R);
    await expectChangedMidway(s2, v1);
  });

  /** a store on a fresh fake S3 reading in ranges of `rangeSize`, 2 in flight */
  async function storeOnRanges(script: (r: SeenRequest) => Answer, rangeSize: number): Promise<S3BlobStore> {
    await fake?.close();
    fake = await fakeS3(script);
    return new S3BlobStore({
      bucket: 'bkt',
      prefix: 'idx',
      endpoint: fake.url,
      maxAttempts: 1,
      rangeSize,
      rangeConcurrency: 2,
    });
  }

  async function expectChangedMidway(store: BlobStore, v1: Buffer): Promise<void> {
    const s = await store.getStream('snap');
    expect(s).toMatchObject({ etag: '"v1"', size: v1.length });
    const got: Buffer[] = [];
    const read = (async () => {
      for await (const p of s!.body) got.push(Buffer.from(p));
    })();
    expect(await failure(read)).toBe(
      's3://bkt/idx/snap was replaced while it was being read (it was version "v1"): read it again',
    );
    const prefix = Buffer.concat(got);
    expect(prefix.length).toBeLessThan(v1.length);
    expect(prefix.equals(v1.subarray(0, prefix.length))).toBe(true);
  }

  /** A fake S3 for multipart uploads: `part(n)` and `complete()` answer those requests. */
  const multipartS3 =
    (part: (n: number) => Answer, complete: () => Answer) =>
    (r: SeenRequest): Answer => {
      const u = new URL(r.url, 'http://x');
      if (r.method === 'POST' && u.searchParams.has('uploads'))
        return {
          status: 200,
          headers: { 'content-type': 'application/xml' },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>idx/snap</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>`,
        };
      if (r.method === 'PUT' && u.searchParams.has('partNumber')) return part(Number(u.searchParams.get('partNumber')));
      if (r.method === 'POST' && u.searchParams.get('uploadId') === 'U1') return complete();
      if (r.method === 'DELETE' && u.searchParams.get('uploadId') === 'U1') return { status: 204 };
      return fail(400, 'Unexpected', `${r.method} ${r.url}`);
    };
  const aborted = () =>
    fake!.seen.filter((r) => r.method === 'DELETE' && new URL(r.url, 'http://x').searchParams.get('uploadId') === 'U1');
  const CHUNK = Buffer.alloc(MiB, 7);
  /** `n` MiB of body, counting what was pulled */
  const source = (n: number, pulled: { mib: number }) =>
    (async function* () {
      for (let i = 0; i < n; i++) {
        pulled.mib++;
        yield CHUNK;
      }
    })();

  it('a multipart upload failing midway is aborted, and the body is not read to its end', async () => {
    fake = await fakeS3(
      multipartS3(
        (n) => (n === 2 ? fail(500, 'InternalError') : { status: 200, headers: { etag: `"p${n}"` } }),
        () => fail(400, 'Unexpected', 'no completion expected'),
      ),
    );
    const store = new S3BlobStore({
      bucket: 'bkt',
      prefix: 'idx',
      endpoint: fake.url,
      maxAttempts: 1,
      partSize: 5 * MiB,
    });
    const pulled = { mib: 0 };
    expect(await failure(store.put('snap', source(200, pulled), { ifNoneMatch: '*' }))).toBe(
      'cannot write s3://bkt/idx/snap: S3 failed (500 InternalError)',
    );
    expect(aborted().length).toBe(1);
    expect(pulled.mib).toBeLessThan(80);
  });

  it("a multipart upload's completion carries the condition; losing it is PreconditionFailed, and aborted", async () => {
    fake = await fakeS3(
      multipartS3(
        (n) => ({ status: 200, headers: { etag: `"p${n}"` } }),
        () => fail(412, 'PreconditionFailed'),
      ),
    );
    const store = new S3BlobStore({
      bucket: 'bkt',
      prefix: 'idx',
      endpoint: fake.url,
      maxAttempts: 1,
      partSize: 5 * MiB,
    });
    await failure(store.put('snap', source(12, { mib: 0 }), { ifNoneMatch: '*' }), PreconditionFailed);
    const complete = fake.seen.find((r) => r.method === 'POST' && r.url.includes('uploadId=U1'));
    expect(complete?.headers['if-none-match']).toBe('*');
    expect(fake.seen.filter((r) => r.method === 'PUT').length).toBe(3);
    expect(aborted().length).toBe(1);
  });
});
