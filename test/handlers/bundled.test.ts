/**
 * The Lambda functions bundled as deployed (serverless.yml's esbuild options), each container a node process of
 * its own, against s3rver as the snapshot store: every sample in events/ direct and SQS-wrapped, API Gateway v2
 * requests, /redis writes durable before their answer, the refresh period, and API tokens from SSM (a small
 * SSM endpoint speaking the GetParameter JSON protocol: there is no SSM to run here).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  type ApiResult,
  apiGatewayEvent,
  type Bundle,
  bundleFunctions,
  LambdaContainer,
} from '../helpers/lambda-container';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

const TOKEN = 'bundled-test-token-0123';
let s3: TestS3 | undefined;
let dir = '';
let bundles: Record<string, Bundle> = {};
const containers: LambdaContainer[] = [];

beforeAll(async () => {
  s3 = await startS3rver(['snapshots'], 'bundled');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-bundled-'));
  bundles = await bundleFunctions(path.join(dir, 'bundles'));
}, 120_000);

afterAll(async () => {
  await Promise.all(containers.map((c) => c.close()));
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A cold container on the store at `prefix` of the snapshot bucket. */
function container(prefix: string, env: NodeJS.ProcessEnv = {}): LambdaContainer {
  const c = new LambdaContainer({
    ...s3!.env,
    S3_INDEX_STORE: `s3://snapshots/${prefix}`,
    S3_INDEX_API_TOKENS: `rw:${TOKEN}`,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...env,
  });
  containers.push(c);
  return c;
}

const auth = { authorization: `Bearer ${TOKEN}` };

async function get(c: LambdaContainer, rawPath: string, query = '', token = TOKEN): Promise<ApiResult> {
  return c.invoke<ApiResult>(
    bundles.api!,
    apiGatewayEvent('GET', rawPath, { query, headers: { authorization: `Bearer ${token}` } }),
  );
}

async function redis(c: LambdaContainer, argv: string[]): Promise<ApiResult> {
  return c.invoke<ApiResult>(
    bundles.api!,
    apiGatewayEvent('POST', '/redis', {
      body: JSON.stringify(argv),
      headers: { ...auth, 'content-type': 'application/json' },
    }),
  );
}

/** Every bucket's full listing (versions included), as the API gives it. */
async function everything(c: LambdaContainer): Promise<Record<string, unknown>> {
  const buckets = await get(c, '/v1/buckets');
  expect(buckets.statusCode).toBe(200);
  const out: Record<string, unknown> = { buckets: JSON.parse(buckets.body) };
  for (const b of (out.buckets as { buckets: Array<{ name?: string; bucket?: string }> }).buckets) {
    const name = b.name ?? b.bucket!;
    const page = await get(c, `/v1/buckets/${encodeURIComponent(name)}/objects`);
    expect(page.statusCode).toBe(200);
    out[name] = JSON.parse(page.body);
  }
  return out;
}

const direct = fs
  .readdirSync('events')
  .filter((f) => f.endsWith('.json') && !f.startsWith('sqs-'))
  .sort();
const sqsSamples = fs
  .readdirSync('events')
  .filter((f) => f.startsWith('sqs-') && f.endsWith('.json'))
  .sort();
const read = (f: string): unknown => JSON.parse(fs.readFileSync(f, 'utf8'));

test('events/sqs holds every direct sample SQS-wrapped (scripts/wrap-sqs-events.mjs)', () => {
  expect(fs.readdirSync('events/sqs').sort()).toEqual(direct);
  for (const f of direct) {
    const wrapped = read(`events/sqs/${f}`) as { Records: Array<Record<string, unknown>> };
    expect(wrapped.Records).toHaveLength(1);
    const r = wrapped.Records[0]!;
    expect(r.eventSource).toBe('aws:sqs');
    expect(JSON.parse(r.body as string)).toEqual(read(`events/${f}`));
    expect(r.md5OfBody).toBe(
      createHash('md5')
        .update(r.body as string)
        .digest('hex'),
    );
  }
});

test('every sample event, direct and SQS-wrapped, through the bundled ingest function gives the same index', async () => {
  const viaDirect = container('direct');
  const viaSqs = container('wrapped');
  let applied = 0;
  for (const f of direct) {
    const totals = await viaDirect.invoke<Record<string, number>>(bundles.ingest!, read(`events/${f}`));
    expect(Object.keys(totals).sort()).toEqual(['applied', 'duplicate', 'ignored', 'rejected', 'stale']);
    expect(totals.rejected).toBe(0);
    applied += totals.applied!;
    const out = await viaSqs.invoke<{ batchItemFailures: unknown[] }>(bundles.ingest!, read(`events/sqs/${f}`));
    expect(out).toEqual({ batchItemFailures: [] });
  }
  expect(applied).toBeGreaterThanOrEqual(5);
  for (const f of sqsSamples) {
    for (const c of [viaDirect, viaSqs]) {
      const out = await c.invoke<{ batchItemFailures: unknown[] }>(bundles.ingest!, read(`events/${f}`));
      expect(out).toEqual({ batchItemFailures: [] });
    }
  }
  // a poison message in a batch comes back alone; a direct poison event is thrown (the invoker retries it)
  const batch = read('events/sqs/eventbridge-object-created.json') as { Records: Array<Record<string, unknown>> };
  batch.Records.push({ ...batch.Records[0]!, messageId: 'poison-1', body: '{"detail-type":"Object Created"' });
  expect(await viaSqs.invoke(bundles.ingest!, batch)).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison-1' }] });
  await expect(viaDirect.invoke(bundles.ingest!, { 'detail-type': 'Object Created', detail: {} })).rejects.toThrow(
    /not applied/,
  );

  // cold API containers on each store answer the same listings, and they are not empty
  const a = await everything(container('direct'));
  const b = await everything(container('wrapped'));
  expect(a).toEqual(b);
  expect(JSON.stringify(a)).toContain('example-bucket');
  expect(Object.keys(a).length).toBeGreaterThan(1);
}, 120_000);

test('API Gateway v2 requests on the bundled api: listings, /s3, a /redis write durable when answered, refresh', async () => {
  const prefix = 'api';
  const ingest = container(prefix);
  await ingest.invoke(bundles.ingest!, read('events/sqs/eventbridge-object-created.json'));
  const api = container(prefix, { S3_INDEX_REFRESH_MS: '1500' });
  const page = await get(api, '/v1/buckets/example-bucket/objects');
  expect(page.statusCode).toBe(200);
  const keys = (JSON.parse(page.body) as { objects: Array<{ key: string }> }).objects.map((o) => o.key);
  expect(keys.length).toBe(1);
  const s3 = await get(api, '/s3/example-bucket', 'list-type=2');
  expect(s3.statusCode).toBe(200);
  expect(s3.body).toContain(`<Key>${keys[0]!.replace(/&/g, '&amp;')}</Key>`);
  expect((await get(api, '/v1/buckets', '', 'not-the-token-0123456789')).statusCode).toBe(401);

  // a /redis write is committed before it is answered: a container killed right after loses nothing
  const writer = container(prefix);
  const set = await redis(writer, ['SET', 'greeting', 'hello']);
  expect(set.statusCode).toBe(200);
  expect(JSON.parse(set.body)).toEqual({ result: 'OK' });
  await writer.close();
  const got = await redis(container(prefix), ['GET', 'greeting']);
  expect(JSON.parse(got.body)).toEqual({ result: 'hello' });

  // the refresh period: a warm container re-reads the manifest at most every S3_INDEX_REFRESH_MS. A period after
  // the last request, the next one refreshes: the period then starts no earlier than t0
  await new Promise((r) => setTimeout(r, 1100));
  const t0 = Date.now();
  await get(api, '/v1/buckets/example-bucket/objects');
  const later = read('events/eventbridge-object-created.json') as {
    detail: { object: { key: string; sequencer: string } };
  };
  later.detail.object.key = 'later/object.txt';
  later.detail.object.sequencer = '00FFFFFFFFFFFFFFFF';
  await ingest.invoke(bundles.ingest!, later);
  const listed = async () =>
    (JSON.parse((await get(api, '/v1/buckets/example-bucket/objects')).body) as { objects: Array<{ key: string }> })
      .objects.length;
  const soon = await listed();
  // (only meaningful if this machine got here within the period)
  if (Date.now() - t0 < 900) expect(soon).toBe(1);
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + 1600 - Date.now())));
  expect(await listed()).toBe(2);
}, 120_000);

/** A minimal SSM endpoint: GetParameter of one SecureString. */
function ssmEndpoint(): {
  url: Promise<string>;
  set(value: string | undefined): void;
  calls: unknown[];
  close(): void;
} {
  let value: string | undefined;
  const calls: unknown[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const input = JSON.parse(body || '{}') as { Name?: string; WithDecryption?: boolean };
      calls.push({ target: req.headers['x-amz-target'], ...input });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'not found' }));
        return;
      }
      res.end(
        JSON.stringify({
          Parameter: { Name: input.Name, Type: 'SecureString', Value: value, Version: 1, DataType: 'text' },
        }),
      );
    });
  });
  const url = new Promise<string>((resolve) =>
    srv.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`)),
  );
  return {
    url,
    calls,
    set(v) {
      value = v;
    },
    close() {
      srv.close();
    },
  };
}

test('API tokens from an SSM parameter: decrypted, rotated without a redeploy, and the API fails closed', async () => {
  const ssm = ssmEndpoint();
  try {
    const env = {
      AWS_ENDPOINT_URL_SSM: await ssm.url,
      S3_INDEX_API_TOKENS: '',
      S3_INDEX_API_TOKENS_PARAM: '/s3-index/test/api-tokens',
      S3_INDEX_API_TOKENS_MAX_AGE: '0',
    };
    ssm.set('ro:first-token-0123456789');
    const api = container('tokens', env);
    expect((await get(api, '/v1/buckets', '', 'first-token-0123456789')).statusCode).toBe(200);
    expect((await get(api, '/v1/buckets', '', TOKEN)).statusCode).toBe(401);
    expect(ssm.calls[0]).toEqual({
      target: 'AmazonSSM.GetParameter',
      Name: '/s3-index/test/api-tokens',
      WithDecryption: true,
    });
    // rotation: the next request reads the new value (max age 0 here; 300 s by default)
    ssm.set('ro:second-token-0123456789');
    expect((await get(api, '/v1/buckets', '', 'second-token-0123456789')).statusCode).toBe(200);
    expect((await get(api, '/v1/buckets', '', 'first-token-0123456789')).statusCode).toBe(401);
    // the parameter cannot be read: a warm container keeps the last value, a cold one refuses everything
    ssm.set(undefined);
    expect((await get(api, '/v1/buckets', '', 'second-token-0123456789')).statusCode).toBe(200);
    const cold = await get(container('tokens', env), '/v1/buckets', '', 'second-token-0123456789');
    expect(cold.statusCode).toBe(503);
    expect(cold.body).not.toContain('second-token');
    // neither a parameter nor tokens: closed
    const none = container('tokens', { S3_INDEX_API_TOKENS: '' });
    expect((await get(none, '/v1/buckets')).statusCode).toBe(503);
  } finally {
    ssm.close();
  }
}, 120_000);
