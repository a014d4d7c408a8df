/**
 * The Lambda handlers: an API Gateway HTTP API (payload v2) event through the same app, and the response-streaming
 * handler. The streaming one needs the Lambda runtime's `awslambda` global (streamifyResponse,
 * HttpResponseStream.from), which cannot run here: a minimal stand-in that records the response metadata and hands
 * the handler a plain Writable takes its place.
 */
import { Writable } from 'node:stream';
import type { LambdaContext } from 'hono/aws-lambda';
import { createdEvent } from './index-fixture';

type Http = typeof import('../../src/handlers/http');
// the deployed API fails closed without tokens (src/handlers/tokens.ts); these tests run it open, on purpose
process.env.S3_INDEX_OPEN_API = 'true';
const { handler } = require('../../src/handlers/http') as Http;

type APIGatewayProxyEventV2 = Extract<Parameters<Http['handler']>[0], { rawPath: string }>;

function event(
  method: string,
  rawPath: string,
  body?: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'abc.execute-api.us-east-1.amazonaws.com', ...headers },
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2024:00:00:00 +0000',
      timeEpoch: 1704067200000,
    },
  } as unknown as APIGatewayProxyEventV2;
}

const context = {} as LambdaContext;

describe('Lambda HTTP handler', () => {
  it('answers /healthz', async () => {
    const res = await handler(event('GET', '/healthz'), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('runs /redis commands against its module-scope engine', async () => {
    let res = await handler(
      event('POST', '/redis', '["HSET","h","a","1"]', { 'content-type': 'application/json' }),
      context,
    );
    expect(JSON.parse(res.body)).toEqual({ result: 1 });
    res = await handler(event('POST', '/redis', '["HGET","h","a"]'), context);
    expect(JSON.parse(res.body)).toEqual({ result: '1' });
    res = await handler(event('POST', '/redis', '["HGET"]'), context);
    expect(res.statusCode).toBe(400);
  });

  it('serves the browse page and its assets as text (the routes GET /ui and /ui/{proxy+})', async () => {
    const page = await handler(event('GET', '/ui'), context);
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers?.['content-security-policy']).toContain("default-src 'self'");
    expect(page.isBase64Encoded).toBe(false);
    const src = /<script src="([^"]+)"/.exec(page.body)![1]!;
    const script = await handler(event('GET', src), context);
    expect(script.statusCode).toBe(200);
    expect(script.isBase64Encoded).toBe(false);
    expect(script.body.length).toBeGreaterThan(1000);
  });
});

describe('Lambda HTTP handler without tokens', () => {
  it('refuses every request (503) unless the API is opened on purpose', async () => {
    let closed: Http | undefined;
    const saved = process.env.S3_INDEX_OPEN_API;
    delete process.env.S3_INDEX_OPEN_API;
    try {
      jest.isolateModules(() => {
        closed = require('../../src/handlers/http');
      });
    } finally {
      process.env.S3_INDEX_OPEN_API = saved;
    }
    const res = await closed!.handler(event('GET', '/healthz'), context);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('ServiceUnavailable');
  });
});

describe('Lambda streaming handler', () => {
  it('is not defined outside the Lambda runtime', () => {
    expect(require('../../src/handlers/http').streamingHandler).toBeUndefined();
  });

  it('streams the NDJSON export chunk by chunk, with the status and headers as metadata', async () => {
    const metadata: Array<{ statusCode: number; headers: Record<string, string> }> = [];
    const g = globalThis as unknown as Record<string, unknown>;
    g.awslambda = {
      streamifyResponse: (fn: unknown) => fn,
      HttpResponseStream: {
        from: (stream: Writable, meta: { statusCode: number; headers: Record<string, string> }) => {
          metadata.push(meta);
          return stream;
        },
      },
    };
    type Streaming = (e: unknown, stream: Writable, ctx: LambdaContext) => Promise<void>;
    let mod: { handler: typeof handler; streamingHandler: Streaming } | undefined;
    jest.isolateModules(() => {
      mod = require('../../src/handlers/http');
    });
    const bucket = 'stream-bucket';
    const keys = Array.from({ length: 12_345 }, (_, i) => `k/${String(i).padStart(6, '0')}`);
    for (let i = 0; i < keys.length; i += 2000) {
      const batch = keys.slice(i, i + 2000).map((k) => createdEvent(bucket, k, { size: 7 }));
      const res = await mod!.handler(event('POST', '/v1/events', JSON.stringify(batch)), context);
      expect(JSON.parse(res.body).applied).toBe(batch.length);
    }
    const writes: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        writes.push(Buffer.from(chunk));
        done();
      },
    });
    await mod!.streamingHandler(
      event('GET', `/v1/buckets/${bucket}/objects`, undefined, { accept: 'application/x-ndjson' }),
      sink,
      context,
    );
    expect(metadata).toHaveLength(1);
    expect(metadata[0]!.statusCode).toBe(200);
    expect(metadata[0]!.headers['content-type']).toBe('application/x-ndjson');
    const lines = Buffer.concat(writes).toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(keys);
    expect(writes.length).toBeGreaterThanOrEqual(2); // 10,000 rows per chunk: not one buffered body
    delete g.awslambda;
  });
});
