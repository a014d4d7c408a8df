/** The Node adapter: binds, serves the app over real sockets, refuses non-loopback hosts without tokens. */
import { isLoopback } from '../../src/config';
import { startHttpServer } from '../../src/http/node-server';
import { appHarness, bearer, RO_TOKEN, RW_TOKEN, serveApp, TEST_TOKENS } from './harness';
import { createdEvent } from './index-fixture';

describe('startHttpServer', () => {
  it('serves the app on a free port and closes', async () => {
    const h = appHarness();
    const server = await serveApp(h);
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      const r = await fetch(`${server.url}/redis`, { method: 'POST', body: '["ECHO","over a socket"]' });
      expect(await r.json()).toEqual({ result: 'over a socket' });
    } finally {
      await server.close();
    }
  });

  it('writes response-cache hits straight to the socket: same bytes, auth, request ids, metrics, invalidation', async () => {
    const h = appHarness({ tokens: TEST_TOKENS });
    const bucket = 'fast-bucket';
    await h.post('/v1/events', [createdEvent(bucket, 'a/1'), createdEvent(bucket, 'a/2')], bearer(RW_TOKEN));
    // count the requests the server answered without running the app
    const cachedResponse = h.app.cachedResponse;
    let served = 0;
    Object.assign(h.app, {
      cachedResponse: (...args: Parameters<typeof cachedResponse>) => {
        const r = cachedResponse(...args);
        if (r !== undefined) served++;
        return r;
      },
    });
    const server = await serveApp(h);
    try {
      const page = `${server.url}/v1/buckets/${bucket}/objects?prefix=a/&max-keys=10`;
      const first = await fetch(page, { headers: bearer(RO_TOKEN) });
      const firstBody = await first.text();
      const second = await fetch(page, { headers: bearer(RO_TOKEN) });
      expect(await second.text()).toBe(firstBody);
      expect(second.headers.get('content-type')).toBe('application/json');
      expect(second.headers.get('content-length')).toBe(String(Buffer.byteLength(firstBody)));
      expect(JSON.parse(firstBody).keyCount).toBe(2);
      // a cached page still needs a valid token
      expect((await fetch(page, { headers: bearer('wrong-token-0123456789abcdef') })).status).toBe(401);
      expect((await fetch(page)).status).toBe(401);
      // S3: a fresh request id per response, also for hits
      const xmlUrl = `${server.url}/s3/${bucket}?list-type=2&prefix=a/`;
      const s3 = { authorization: `AWS4-HMAC-SHA256 Credential=${RO_TOKEN}/20240101/us-east-1/s3/aws4_request` };
      const x1 = await fetch(xmlUrl, { headers: s3 });
      const x2 = await fetch(xmlUrl, { headers: s3 });
      expect(await x2.text()).toBe(await x1.text());
      expect(x2.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
      expect(x2.headers.get('x-amz-request-id')).not.toBe(x1.headers.get('x-amz-request-id'));
      const metrics = await (await fetch(`${server.url}/metrics`, { headers: bearer(RO_TOKEN) })).text();
      expect(served).toBe(2);
      expect(metrics).toContain('s3index_http_response_cache_total{result="hit"} 2');
      expect(metrics).toMatch(
        /s3index_http_requests_total\{route="\/v1\/buckets\/:bucket\/objects",method="GET",status="200"\} 2/,
      );
      // any write invalidates
      await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: bearer(RW_TOKEN),
        body: JSON.stringify(createdEvent(bucket, 'a/3')),
      });
      const third = await (await fetch(page, { headers: bearer(RO_TOKEN) })).json();
      expect((third as { keyCount: number }).keyCount).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('refuses a non-loopback host when no tokens are configured', async () => {
    const h = appHarness();
    await expect(startHttpServer(h.app, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to serve HTTP on 0\.0\.0\.0 without authentication/,
    );
  });

  it('binds any host when tokens are configured', async () => {
    const h = appHarness({ tokens: TEST_TOKENS });
    const server = await startHttpServer(h.app, { host: '0.0.0.0', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: bearer(RW_TOKEN) });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('reports a port in use', async () => {
    const h = appHarness();
    const first = await serveApp(h);
    try {
      await expect(startHttpServer(h.app, { host: '127.0.0.1', port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['example.com', false],
    ['127.0.0.1000', false],
    ['LOCALHOST', true],
  ])('isLoopback(%s) = %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
