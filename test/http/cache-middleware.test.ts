/**
 * A response-cache hit is a request like any other: it is authenticated (a wrong or missing token on a cached URL is
 * refused), gets a fresh request id and is counted in /metrics, both through `app.fetch` and over a real socket
 * through the Node server; and it carries the same bytes and headers as the response it was cached from.
 */
import { appHarness, bearer, RO_TOKEN, RW_TOKEN, serveApp, TEST_TOKENS } from './harness';
import { createdEvent } from './index-fixture';

const BUCKET = 'hit-bucket';
const WRONG = 'wrong-token-0123456789abcdef';
const sigV4 = (token: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${token}/20240101/us-east-1/s3/aws4_request`,
});

type Get = (path: string, headers?: Record<string, string>) => Promise<Response>;

describe.each([
  ['app.fetch', false],
  ['the Node server, over a socket', true],
])('a cache hit through %s', (_name, overSocket) => {
  it('is authenticated, gets a fresh request id, is counted, and is dropped by a write', async () => {
    const h = appHarness({ tokens: TEST_TOKENS });
    await h.post('/v1/events', [createdEvent(BUCKET, 'a/1'), createdEvent(BUCKET, 'a/2')], bearer(RW_TOKEN));
    const server = overSocket ? await serveApp(h) : undefined;
    const get: Get = (path, headers = {}) =>
      server === undefined ? h.request(path, { headers }) : fetch(`${server.url}${path}`, { headers });
    try {
      const page = `/v1/buckets/${BUCKET}/objects?prefix=a/&max-keys=10`;
      const first = await get(page, bearer(RO_TOKEN));
      const firstBody = await first.text();
      expect(JSON.parse(firstBody).keyCount).toBe(2);
      const second = await get(page, bearer(RO_TOKEN));
      expect(await second.text()).toBe(firstBody);
      expect(second.headers.get('content-type')).toBe('application/json');
      if (overSocket) expect(second.headers.get('content-length')).toBe(String(Buffer.byteLength(firstBody)));

      // a cached page still needs a valid token
      const wrong = await get(page, bearer(WRONG));
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).not.toContain('a/1');
      expect((await get(page)).status).toBe(401);

      // S3: refused with S3's AccessDenied; a fresh request id per response, also for hits
      const xml = `/s3/${BUCKET}?list-type=2&prefix=a/`;
      const x1 = await get(xml, sigV4(RO_TOKEN));
      const x2 = await get(xml, sigV4(RO_TOKEN));
      expect(x2.status).toBe(200);
      expect(await x2.text()).toBe(await x1.text());
      const ids = [x1.headers.get('x-amz-request-id'), x2.headers.get('x-amz-request-id')];
      expect(ids[1]).toMatch(/^[0-9A-F]{16}$/);
      expect(ids[1]).not.toBe(ids[0]);
      const denied = await get(xml, sigV4(WRONG));
      expect(denied.status).toBe(403);
      expect(await denied.text()).toContain('<Code>AccessDenied</Code>');
      expect(denied.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
      expect(ids).not.toContain(denied.headers.get('x-amz-request-id'));

      // hits count as requests of their route and as cache hits; refusals are counted, and never reach the cache
      const metrics = await (await get('/metrics', bearer(RO_TOKEN))).text();
      expect(metrics).toContain('s3index_http_response_cache_total{result="hit"} 2');
      expect(metrics).toContain('s3index_http_response_cache_total{result="miss"} 2');
      expect(metrics).toContain(
        's3index_http_requests_total{route="/v1/buckets/:bucket/objects",method="GET",status="200"} 2',
      );
      expect(metrics).toContain(
        's3index_http_requests_total{route="/v1/buckets/:bucket/objects",method="GET",status="401"} 2',
      );
      expect(metrics).toContain('s3index_http_requests_total{route="/s3/:bucket",method="GET",status="200"} 2');
      expect(metrics).toContain('s3index_http_requests_total{route="/s3/:bucket",method="GET",status="403"} 1');
      expect(metrics).toMatch(
        /s3index_http_request_duration_seconds_count\{route="\/v1\/buckets\/:bucket\/objects"\} 4\n/,
      );

      // a write to the page's keys drops it
      await h.post('/v1/events', createdEvent(BUCKET, 'a/3'), bearer(RW_TOKEN));
      const third = (await (await get(page, bearer(RO_TOKEN))).json()) as { keyCount: number };
      expect(third.keyCount).toBe(3);
    } finally {
      await server?.close();
    }
  });
});
