/**
 * Unmodified S3 clients against the /s3 endpoint of a running server: @aws-sdk/client-s3 (forcePathStyle,
 * paginateListObjectsV2, ListObjectsCommand, HeadObjectCommand, ListBuckets) and the AWS CLI (s3api list-objects-v2,
 * s3api list-objects, s3 ls --recursive, head-object), with the API token as the access key id. Listings are compared with the reference
 * model, including unicode and '+' keys that go through the CLI's encoding-type=url round trip.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  type ListObjectsCommandOutput,
  ListObjectsV2Command,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describeWithTool } from '../helpers/redis-server';
import { type AppHarness, appHarness, RO_TOKEN, serveApp, TEST_TOKENS } from './harness';
import { AWKWARD_KEYS, createdEvent, modelListAll, sortKeys } from './index-fixture';

const BUCKET = 'client-test-bucket';
const ETAG = '0123456789abcdef0123456789abcdef';
const SORTED = sortKeys(AWKWARD_KEYS);

let h: AppHarness;
let server: Awaited<ReturnType<typeof serveApp>>;

beforeAll(async () => {
  h = appHarness({ tokens: TEST_TOKENS });
  const res = await h.app.fetch(
    new Request('http://localhost/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS[1]!.token}` },
      body: JSON.stringify(AWKWARD_KEYS.map((k, i) => createdEvent(BUCKET, k, { size: i, etag: ETAG }))),
    }),
  );
  expect(((await res.json()) as { applied: number }).applied).toBe(AWKWARD_KEYS.length);
  server = await serveApp(h);
});
afterAll(() => server.close());

const flatten = (pages: Array<{ keys: string[]; commonPrefixes: string[] }>) => ({
  keys: pages.flatMap((p) => p.keys),
  commonPrefixes: pages.flatMap((p) => p.commonPrefixes),
});

describe('@aws-sdk/client-s3', () => {
  const client = (): S3Client =>
    new S3Client({
      endpoint: `${server.url}/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: RO_TOKEN, secretAccessKey: 'any-secret' },
      maxAttempts: 1,
    });

  it('paginateListObjectsV2 matches the reference model', async () => {
    const s3 = client();
    for (const Prefix of ['', 'a/', 'b']) {
      for (const Delimiter of [undefined, '/', '+']) {
        for (const pageSize of [2, 1000]) {
          for (const StartAfter of [undefined, 'a/😀']) {
            const keys: string[] = [];
            const commonPrefixes: string[] = [];
            for await (const page of paginateListObjectsV2(
              { client: s3, pageSize },
              { Bucket: BUCKET, Prefix, Delimiter, StartAfter },
            )) {
              for (const o of page.Contents ?? []) keys.push(o.Key!);
              for (const p of page.CommonPrefixes ?? []) commonPrefixes.push(p.Prefix!);
            }
            const ctx = JSON.stringify({ Prefix, Delimiter, pageSize, StartAfter });
            const want = flatten(
              modelListAll(SORTED, { prefix: Prefix, delimiter: Delimiter, maxKeys: pageSize, after: StartAfter }),
            );
            expect({ ctx, keys, commonPrefixes }).toEqual({ ctx, ...want });
          }
        }
      }
    }
    s3.destroy();
  });

  it('ListObjectsCommand (v1) pages with NextMarker / the last Key like the reference model', async () => {
    const s3 = client();
    for (const Prefix of ['', 'a/']) {
      for (const Delimiter of [undefined, '/']) {
        for (const MaxKeys of [2, 1000]) {
          const keys: string[] = [];
          const commonPrefixes: string[] = [];
          let Marker: string | undefined = 'a/b';
          for (let i = 0; i < 100; i++) {
            const page: ListObjectsCommandOutput = await s3.send(
              new ListObjectsCommand({ Bucket: BUCKET, Prefix, Delimiter, MaxKeys, Marker }),
            );
            expect(page.Marker).toBe(Marker);
            for (const o of page.Contents ?? []) keys.push(o.Key!);
            for (const p of page.CommonPrefixes ?? []) commonPrefixes.push(p.Prefix!);
            if (!page.IsTruncated) break;
            Marker = page.NextMarker ?? page.Contents![page.Contents!.length - 1]!.Key;
          }
          const ctx = JSON.stringify({ Prefix, Delimiter, MaxKeys });
          const want = flatten(
            modelListAll(SORTED, { prefix: Prefix, delimiter: Delimiter, maxKeys: MaxKeys, after: 'a/b' }),
          );
          expect({ ctx, keys, commonPrefixes }).toEqual({ ctx, ...want });
        }
      }
    }
    s3.destroy();
  });

  it('ListObjectsV2 returns S3 metadata; errors are S3ServiceExceptions', async () => {
    const s3 = client();
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a/b/c', MaxKeys: 10 }));
    expect(page.KeyCount).toBe(1);
    expect(page.IsTruncated).toBe(false);
    expect(page.Contents).toEqual([
      {
        Key: 'a/b/c.txt',
        LastModified: new Date('2024-05-01T12:00:00.000Z'),
        ETag: `"${ETAG}"`,
        Size: AWKWARD_KEYS.indexOf('a/b/c.txt'),
        StorageClass: 'STANDARD',
      },
    ]);
    const err = await s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).name).toBe('NoSuchBucket');
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(404);
    s3.destroy();
  });

  it('HeadObjectCommand, HeadBucketCommand and ListBucketsCommand', async () => {
    const s3 = client();
    for (const key of AWKWARD_KEYS) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect({ key, len: head.ContentLength, etag: head.ETag }).toEqual({
        key,
        len: AWKWARD_KEYS.indexOf(key),
        etag: `"${ETAG}"`,
      });
      expect(head.LastModified).toEqual(new Date('2024-05-01T12:00:00.000Z'));
    }
    const missing = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nope' })).catch((e: unknown) => e);
    expect((missing as S3ServiceException).name).toBe('NotFound');
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    s3.destroy();
  });

  it('is refused with a wrong access key id', async () => {
    const s3 = new S3Client({
      endpoint: `${server.url}/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const err = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET })).catch((e: unknown) => e);
    expect((err as S3ServiceException).name).toBe('AccessDenied');
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(403);
    s3.destroy();
  });
});

describeWithTool('aws')('AWS CLI', () => {
  interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
  }
  interface CliListing {
    Contents?: Array<{ Key: string; Size: number; ETag: string }>;
    CommonPrefixes?: Array<{ Prefix: string }>;
  }

  const LISTINGS: Array<[prefix: string, delimiter: string | undefined, pageSize: string]> = [
    ['', undefined, '4'],
    ['a/', '/', '2'],
    ['b', ' ', '1000'],
  ];
  // Every CLI run starts in beforeAll, concurrently (each costs a Python start-up); the tests await their results.
  const runs: Record<string, Promise<CliResult>> = {};

  beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 's3-index-awscli-'));
    const config = path.join(dir, 'config');
    writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
      AWS_ACCESS_KEY_ID: RO_TOKEN,
      AWS_SECRET_ACCESS_KEY: 'any-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
    };
    // async: the server runs in this process, a synchronous exec would block it
    const aws = (...args: string[]): Promise<CliResult> =>
      new Promise((resolve) => {
        execFile(
          'aws',
          [...args, '--endpoint-url', `${server.url}/s3`],
          { env, timeout: 60_000 },
          (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
          },
        );
      });
    for (const [prefix, delimiter, pageSize] of LISTINGS) {
      const args = ['s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', prefix, '--page-size', pageSize];
      if (delimiter !== undefined) args.push('--delimiter', delimiter);
      runs[`list ${prefix}|${delimiter}|${pageSize}`] = aws(...args, '--output', 'json');
    }
    for (const [prefix, delimiter, pageSize] of LISTINGS) {
      const args = ['s3api', 'list-objects', '--bucket', BUCKET, '--prefix', prefix, '--page-size', pageSize];
      if (delimiter !== undefined) args.push('--delimiter', delimiter);
      runs[`v1 ${prefix}|${delimiter}|${pageSize}`] = aws(...args, '--output', 'json');
    }
    runs.ls = aws('s3', 'ls', '--recursive', `s3://${BUCKET}/`);
    runs.head = aws('s3api', 'head-object', '--bucket', BUCKET, '--key', 'a/b+c/x.txt', '--output', 'json');
    runs.noBucket = aws('s3api', 'list-objects-v2', '--bucket', 'no-such-bucket');
  });

  it.each(LISTINGS.flatMap(([p, d, n]) => [['list-objects-v2', p, d, n] as const, ['list-objects', p, d, n] as const]))(
    's3api %s --prefix %j --delimiter %j --page-size %s matches the model',
    async (command, prefix, delimiter, pageSize) => {
      const r = await runs[`${command === 'list-objects' ? 'v1' : 'list'} ${prefix}|${delimiter}|${pageSize}`]!;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got: CliListing = r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as CliListing);
      const want = flatten(modelListAll(SORTED, { prefix, delimiter, maxKeys: Number(pageSize) }));
      expect({
        keys: (got.Contents ?? []).map((o) => o.Key),
        commonPrefixes: (got.CommonPrefixes ?? []).map((p) => p.Prefix),
      }).toEqual(want);
      for (const o of got.Contents ?? []) expect(o.ETag).toBe(`"${ETAG}"`);
    },
  );

  it('s3 ls --recursive lists every key (unicode, "+", spaces intact)', async () => {
    const r = await runs.ls!;
    expect(r.code).toBe(0);
    const keys = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => /^\S+ \S+ +\d+ (.*)$/.exec(l)![1]);
    expect(keys).toEqual(SORTED);
  });

  it('s3api head-object and a NoSuchBucket error', async () => {
    const r = await runs.head!;
    expect(r.code).toBe(0);
    const head = JSON.parse(r.stdout) as { ContentLength: number; ETag: string };
    expect(head.ContentLength).toBe(AWKWARD_KEYS.indexOf('a/b+c/x.txt'));
    expect(head.ETag).toBe(`"${ETAG}"`);
    const e = await runs.noBucket!;
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain('NoSuchBucket');
  });
});
