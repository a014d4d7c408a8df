/** The response cache: identical reads are served from memory until the next write to the engine. */
import { ResponseCache } from '../../src/http/response-cache';
import { appHarness } from './harness';
import { createdEvent } from './index-fixture';

const BUCKET = 'cache-bucket';

describe('response cache in the app', () => {
  it('serves repeated listings from the cache and recomputes after any write', async () => {
    const h = appHarness();
    await h.post('/v1/events', createdEvent(BUCKET, 'a'));
    const list = async (): Promise<string[]> => {
      const page = (await (await h.request(`/v1/buckets/${BUCKET}/objects`)).json()) as {
        objects: Array<{ key: string }>;
      };
      return page.objects.map((o) => o.key);
    };
    expect(await list()).toEqual(['a']);
    expect(await list()).toEqual(['a']);
    await h.post('/v1/events', createdEvent(BUCKET, 'b'));
    expect(await list()).toEqual(['a', 'b']);
    await h.post('/redis', ['DEL', `s3idx:{${BUCKET}}:keys`]);
    expect(await list()).toEqual([]);
    const metrics = await (await h.request('/metrics')).text();
    expect(metrics).toContain('s3index_http_response_cache_total{result="hit"} 1');
    expect(metrics).toContain('s3index_http_response_cache_total{result="miss"} 3');
  });

  it('keys on the query and Accept, keeps S3 request ids per request, and can be disabled', async () => {
    const h = appHarness();
    await h.post('/v1/events', [createdEvent(BUCKET, 'x/1'), createdEvent(BUCKET, 'y/1')]);
    const xml1 = await h.request(`/s3/${BUCKET}?list-type=2&prefix=x/`);
    const xml2 = await h.request(`/s3/${BUCKET}?list-type=2&prefix=x/`);
    expect(await xml2.text()).toBe(await xml1.text());
    expect(xml2.headers.get('x-amz-request-id')).not.toBe(xml1.headers.get('x-amz-request-id'));
    expect(xml2.headers.get('content-type')).toBe('application/xml');
    expect(await (await h.request(`/s3/${BUCKET}?list-type=2&prefix=y/`)).text()).toContain('<Key>y/1</Key>');

    const off = appHarness({ limits: { responseCacheBytes: 0 } });
    await off.post('/v1/events', createdEvent(BUCKET, 'a'));
    await off.request(`/v1/buckets/${BUCKET}/objects`);
    await off.request(`/v1/buckets/${BUCKET}/objects`);
    expect(await (await off.request('/metrics')).text()).toContain('s3index_http_response_cache_total{result="hit"} 0');
  });
});

describe('ResponseCache', () => {
  const body = (n: number): Uint8Array => new Uint8Array(n);

  it('evicts the least recently used entries beyond its bounds, and drops stale versions', () => {
    let version = 1;
    const c = new ResponseCache(() => version, 2, 1000, 600);
    c.set('a', { status: 200, headers: {}, body: body(10) }, 1);
    c.set('b', { status: 200, headers: {}, body: body(10) }, 1);
    c.get('a');
    c.set('c', { status: 200, headers: {}, body: body(10) }, 1);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    c.set('big', { status: 200, headers: {}, body: body(700) }, 1);
    expect(c.get('big')).toBeUndefined();
    c.set('d', { status: 200, headers: {}, body: body(500) }, 1);
    c.set('e', { status: 200, headers: {}, body: body(501) }, 1);
    expect(c.size).toBe(1);
    c.set('late', { status: 200, headers: {}, body: body(1) }, 0);
    expect(c.get('late')).toBeUndefined();
    version = 2;
    expect(c.get('e')).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
