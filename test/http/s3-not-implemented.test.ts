/**
 * S3 operations the /s3 endpoint does not serve: each is identified as S3 identifies it (method, key or not,
 * sub-resource, x-amz-copy-source) and answered 501 NotImplemented with a message naming it, in the S3 XML error
 * shape; writes change nothing. The AWS CLI and @aws-sdk/client-s3 surface the code. Failed requests are logged as
 * one line (4xx, 501) without a stack; only unexpected failures keep theirs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ManualClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { failureLogLine, HttpError, loggedTarget } from '../../src/http/errors';
import { startHttpServer } from '../../src/http/node-server';
import { s3Operation } from '../../src/http/s3-routes';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { describeWithTool } from '../helpers/redis-server';
import { type AppHarness, appHarness, serveApp } from './harness';
import { createdEvent } from './index-fixture';

const BUCKET = 'example-bucket';
const KEY = 'reports/2024/May summary.pdf';
const KEY_PATH = 'reports/2024/May%20summary.pdf';

const tag = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);

async function seeded(): Promise<AppHarness> {
  const h = appHarness();
  await h.post('/v1/events', [createdEvent(BUCKET, KEY, { size: 5 })]);
  return h;
}

/** [method, path (under /s3), extra headers, the operation S3 calls it] */
const UNSUPPORTED: Array<[string, string, Record<string, string>, string]> = [
  ['GET', `/${BUCKET}/${KEY_PATH}`, {}, 'GetObject'],
  ['GET', `/${BUCKET}/${KEY_PATH}?versionId=v1`, {}, 'GetObject'],
  ['GET', `/${BUCKET}/${KEY_PATH}?acl`, {}, 'GetObjectAcl'],
  ['GET', `/${BUCKET}/${KEY_PATH}?tagging`, {}, 'GetObjectTagging'],
  ['GET', `/${BUCKET}/${KEY_PATH}?attributes`, {}, 'GetObjectAttributes'],
  ['GET', `/${BUCKET}/${KEY_PATH}?uploadId=u1`, {}, 'ListParts'],
  ['PUT', `/${BUCKET}/${KEY_PATH}`, {}, 'PutObject'],
  ['PUT', `/${BUCKET}/${KEY_PATH}`, { 'x-amz-copy-source': `/${BUCKET}/other` }, 'CopyObject'],
  ['PUT', `/${BUCKET}/${KEY_PATH}?partNumber=1&uploadId=u1`, {}, 'UploadPart'],
  ['PUT', `/${BUCKET}/${KEY_PATH}?tagging`, {}, 'PutObjectTagging'],
  ['POST', `/${BUCKET}/${KEY_PATH}?uploads`, {}, 'CreateMultipartUpload'],
  ['POST', `/${BUCKET}/${KEY_PATH}?uploadId=u1`, {}, 'CompleteMultipartUpload'],
  ['POST', `/${BUCKET}/${KEY_PATH}?restore`, {}, 'RestoreObject'],
  ['DELETE', `/${BUCKET}/${KEY_PATH}`, {}, 'DeleteObject'],
  ['DELETE', `/${BUCKET}/${KEY_PATH}?uploadId=u1`, {}, 'AbortMultipartUpload'],
  ['GET', `/${BUCKET}?acl`, {}, 'GetBucketAcl'],
  ['GET', `/${BUCKET}?versions`, {}, 'ListObjectVersions'],
  ['GET', `/${BUCKET}?versions&prefix=reports/`, {}, 'ListObjectVersions'],
  ['GET', `/${BUCKET}?uploads`, {}, 'ListMultipartUploads'],
  ['GET', `/${BUCKET}?versioning`, {}, 'GetBucketVersioning'],
  ['GET', `/${BUCKET}?policy`, {}, 'GetBucketPolicy'],
  ['GET', `/${BUCKET}?lifecycle`, {}, 'GetBucketLifecycleConfiguration'],
  ['GET', `/${BUCKET}?list-type=3`, {}, 'ListObjects with list-type=3'],
  ['PUT', `/${BUCKET}`, {}, 'CreateBucket'],
  ['PUT', `/${BUCKET}?acl`, {}, 'PutBucketAcl'],
  ['DELETE', `/${BUCKET}`, {}, 'DeleteBucket'],
  ['DELETE', `/${BUCKET}?cors`, {}, 'DeleteBucketCors'],
  ['POST', `/${BUCKET}?delete`, {}, 'DeleteObjects'],
];

describe('unsupported S3 operations', () => {
  it.each(UNSUPPORTED)('%s /s3%s %j → 501 NotImplemented naming %s', async (method, p, headers, operation) => {
    const h = await seeded();
    const body = method === 'PUT' || method === 'POST' ? 'x' : undefined;
    const res = await h.request(`/s3${p}`, { method, headers, body });
    const xml = await res.text();
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NotImplemented<\/Code><Message>/);
    const [message] = tag(xml, 'Message');
    expect(message).toMatch(new RegExp(`^${operation} is not implemented: s3-index `));
    expect(message).not.toContain('Internal Server Error');
    expect(tag(xml, 'Resource')).toEqual([decodeURIComponent(p.split('?')[0]!)]);
    expect(tag(xml, 'RequestId')).toEqual([res.headers.get('x-amz-request-id')]);
    // nothing was written: the index still holds exactly the seeded object
    expect(await (await h.request(`/v1/buckets/${BUCKET}/stats`)).json()).toEqual({ objects: 1, bytes: 5 });
  });

  it('says what to use instead: S3 itself for content and writes', async () => {
    const h = await seeded();
    const message = async (method: string, p: string) =>
      tag(
        await (await h.request(`/s3${p}`, { method, body: method === 'PUT' ? 'x' : undefined })).text(),
        'Message',
      )[0];
    expect(await message('GET', `/${BUCKET}/${KEY_PATH}`)).toBe(
      'GetObject is not implemented: s3-index serves ListObjectsV2, ListObjects and HeadObject from its index ' +
        '(and ListBuckets, HeadBucket, GetBucketLocation); read objects from S3',
    );
    expect(await message('PUT', `/${BUCKET}/${KEY_PATH}`)).toBe(
      'PutObject is not implemented: s3-index is a read-only index: write to S3, whose events keep the index current',
    );
  });

  it('still serves what it serves: listings (unknown parameters ignored, as S3 does), HEAD, location', async () => {
    const h = await seeded();
    const status = async (method: string, p: string) => (await h.request(`/s3${p}`, { method })).status;
    expect(await status('GET', `/${BUCKET}?list-type=2`)).toBe(200);
    expect(await status('GET', `/${BUCKET}`)).toBe(200);
    expect(await status('GET', `/${BUCKET}?x-id=ListObjects&foo=bar`)).toBe(200);
    expect(await status('GET', `/${BUCKET}?location`)).toBe(200);
    expect(await status('HEAD', `/${BUCKET}`)).toBe(200);
    expect(await status('HEAD', `/${BUCKET}/${KEY_PATH}`)).toBe(200);
    // HEAD names HeadObject whatever the parameters
    expect(await status('HEAD', `/${BUCKET}/${KEY_PATH}?acl`)).toBe(200);
    // a method S3 does not have, and writes to the service root: 405
    expect(await status('PATCH', `/${BUCKET}/${KEY_PATH}`)).toBe(405);
    expect(await status('PUT', '/')).toBe(405);
    // a malformed key is refused before the operation is named
    expect(await status('GET', `/${BUCKET}/${'k'.repeat(1025)}`)).toBe(400);
  });

  it('s3Operation names operations the way S3 does', () => {
    const op = (method: string, hasKey: boolean, query: string, copySource = false) =>
      s3Operation(method, hasKey, new URLSearchParams(query), copySource);
    expect(op('GET', false, 'list-type=2&prefix=a')).toBe('ListObjectsV2');
    expect(op('GET', false, 'prefix=a&marker=b')).toBe('ListObjects');
    expect(op('GET', false, 'location')).toBe('GetBucketLocation');
    expect(op('GET', false, 'delete')).toBe('ListObjects'); // not a GET sub-resource: ignored
    expect(op('HEAD', true, 'acl')).toBe('HeadObject');
    expect(op('PUT', true, 'partNumber=2&uploadId=u', true)).toBe('UploadPartCopy');
    expect(op('POST', false, '')).toBe('PostObject');
    expect(op('PATCH', true, '')).toBeUndefined();
  });
});

describe('@aws-sdk/client-s3 sees NotImplemented', () => {
  it('GetObjectCommand, PutObjectCommand and DeleteObjectCommand fail with NotImplemented; nothing changes', async () => {
    const h = await seeded();
    const server = await serveApp(h);
    const s3 = new S3Client({
      endpoint: `${server.url}/s3`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
      maxAttempts: 1,
    });
    try {
      const cases: Array<[string, Promise<unknown>]> = [
        ['GetObject', s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))],
        ['PutObject', s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'new.txt', Body: 'hello' }))],
        ['DeleteObject', s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }))],
      ];
      for (const [operation, sent] of cases) {
        const err = await sent.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(S3ServiceException);
        const e = err as S3ServiceException;
        expect({ operation, name: e.name, status: e.$metadata.httpStatusCode }).toEqual({
          operation,
          name: 'NotImplemented',
          status: 501,
        });
        expect(e.message).toMatch(new RegExp(`^${operation} is not implemented`));
        expect(e.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
      }
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(head.ContentLength).toBe(5);
      const added = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'new.txt' })).catch((e: unknown) => e);
      expect((added as S3ServiceException).name).toBe('NotFound');
    } finally {
      s3.destroy();
      await server.close();
    }
  });
});

describeWithTool('aws')('the AWS CLI sees NotImplemented', () => {
  it('`aws s3 cp s3://bucket/key -` fails naming GetObject and NotImplemented', async () => {
    const h = await seeded();
    const server = await serveApp(h);
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 's3-index-awscli-'));
      writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_CONFIG_FILE: path.join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
        AWS_ACCESS_KEY_ID: 'any',
        AWS_SECRET_ACCESS_KEY: 'any',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      };
      // async: the server runs in this process
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'aws',
          ['s3', 'cp', `s3://${BUCKET}/${KEY}`, '-', '--endpoint-url', `${server.url}/s3`],
          { env, timeout: 60_000 },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('An error occurred (NotImplemented) when calling the GetObject operation');
      expect(r.stderr).toContain('GetObject is not implemented: s3-index serves');
    } finally {
      await server.close();
    }
  });
});

describe('logging failed requests', () => {
  const STACK_FRAME = /\n\s+at /;

  function loggedApp() {
    const clock = new ManualClock();
    const engine = createEngine({ clock });
    const index = new S3Index(engine);
    const lines: string[] = [];
    const app = createApp({
      engine,
      clock,
      index,
      config: httpConfig(),
      reportError: (_err, line) => lines.push(line),
    });
    const request = (p: string, init?: RequestInit) => app.fetch(new Request(`http://localhost${p}`, init));
    return { app, index, lines, request };
  }

  it('logs each expected failure (4xx, 501) as one line: method, target, status, code, request id', async () => {
    const { lines, request } = loggedApp();
    await request('/v1/events', { method: 'POST', body: JSON.stringify([createdEvent(BUCKET, KEY)]) });
    const failures: Array<[string, string, number, string]> = [
      ['GET', `/s3/${BUCKET}/${KEY_PATH}`, 501, 'NotImplemented'],
      ['GET', `/s3/${BUCKET}?list-type=3`, 501, 'NotImplemented'],
      ['PUT', `/s3/${BUCKET}/x`, 501, 'NotImplemented'],
      ['GET', '/s3/no-such-bucket?list-type=2', 404, 'NoSuchBucket'],
      ['HEAD', `/s3/${BUCKET}/missing`, 404, 'NoSuchKey'],
      ['GET', `/s3/${BUCKET}?list-type=2&max-keys=abc`, 400, 'InvalidArgument'],
      ['GET', '/v1/nowhere', 404, 'NotFound'],
      ['GET', `/v1/buckets/${BUCKET}/objects?max-keys=-1`, 400, 'InvalidArgument'],
    ];
    for (const [method, target, status, code] of failures) {
      lines.length = 0;
      const res = await request(target, { method, body: method === 'PUT' ? 'x' : undefined });
      expect(res.status).toBe(status);
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line).not.toContain('\n');
      expect(line).not.toMatch(STACK_FRAME);
      expect(line).toMatch(/^s3-index http: /);
      expect(line).toContain(` ${method} ${target} ${status} ${code} (request `);
      if (target.startsWith('/s3/')) expect(line).toContain(`(request ${res.headers.get('x-amz-request-id')})`);
    }
    // successes are not logged
    lines.length = 0;
    expect((await request(`/s3/${BUCKET}?list-type=2`)).status).toBe(200);
    expect(lines).toEqual([]);
  });

  it('keeps the stack of an unexpected failure (a real 500), and the client sees no detail', async () => {
    const { index, lines, request } = loggedApp();
    await request('/v1/events', { method: 'POST', body: JSON.stringify([createdEvent(BUCKET, KEY)]) });
    // a bug below the HTTP layer
    const spy = jest.spyOn(index, 'listObjectsV2').mockImplementation(() => {
      throw new Error('index exploded');
    });
    const res = await request(`/s3/${BUCKET}?prefix=reports/`);
    spy.mockRestore();
    expect(res.status).toBe(500);
    const xml = await res.text();
    expect(tag(xml, 'Code')).toEqual(['InternalError']);
    expect(tag(xml, 'Message')).toEqual(['Internal Server Error']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^s3-index http: GET /s3/${BUCKET}\\?prefix=reports%2F 500 InternalError \\(request [0-9A-F]{16}\\): `,
      ),
    );
    expect(lines[0]).toContain('Error: index exploded');
    expect(lines[0]).toMatch(STACK_FRAME);
    // and the app keeps answering
    expect((await request(`/s3/${BUCKET}?prefix=reports/`)).status).toBe(200);
  });

  it('leaves credentials out of the logged target', () => {
    expect(
      loggedTarget(
        '/s3/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ro-token-0123456789abcdef%2F20240501%2Fus-east-1' +
          '&X-Amz-Signature=abc123&X-Amz-Security-Token=tok&uploads',
      ),
    ).toBe(
      '/s3/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***&uploads',
    );
    expect(loggedTarget('http://127.0.0.1:8080/redis/config/set/requirepass/hunter2')).toBe('/redis/config/…');
    expect(loggedTarget('/redis/pipeline')).toBe('/redis/pipeline');
    expect(loggedTarget('/v1/buckets/b/objects?prefix=a%0Ab')).toBe('/v1/buckets/b/objects?prefix=a%0Ab');
    const line = failureLogLine(
      { method: 'GET', url: '/s3/b?list-type=2&X-Amz-Credential=secret-token-value' },
      new HttpError(403, 'AccessDenied', 'Access Denied'),
    );
    expect(line).toBe('s3-index http: GET /s3/b?list-type=2&X-Amz-Credential=*** 403 AccessDenied');
  });

  it('writes to stderr by default, and a real server keeps serving after client errors', async () => {
    const clock = new ManualClock();
    const engine = createEngine({ clock });
    const app = createApp({ engine, clock, config: httpConfig() });
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify([createdEvent(BUCKET, KEY)]) });
      expect((await fetch(`${url}/s3/${BUCKET}/${KEY_PATH}`)).status).toBe(501);
      expect((await fetch(`${url}/s3/${BUCKET}?versions`)).status).toBe(501);
      expect((await fetch(`${url}/s3/nope?list-type=2`)).status).toBe(404);
      const list = await fetch(`${url}/s3/${BUCKET}?list-type=2`);
      expect(list.status).toBe(200);
      expect(tag(await list.text(), 'Key')).toEqual([KEY]);
    } finally {
      spy.mockRestore();
      await server.close();
    }
    const text = written.join('');
    expect(text).not.toMatch(STACK_FRAME);
    expect(text.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^s3-index http: GET /s3/${BUCKET}/${KEY_PATH} 501 NotImplemented \\(request `)),
      expect.stringMatching(new RegExp(`^s3-index http: GET /s3/${BUCKET}\\?versions 501 NotImplemented \\(request `)),
      expect.stringMatching(/^s3-index http: GET \/s3\/nope\?list-type=2 404 NoSuchBucket \(request /),
      '',
    ]);
  });
});
