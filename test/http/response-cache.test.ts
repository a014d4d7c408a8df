/** The response cache: identical reads are served from memory until the next write to what they read. */
import { ManualClock } from '../../src/engine/clock';
import { Engine, newSession } from '../../src/engine/engine';
import { bucketOfTarget, IndexVersions } from '../../src/http/index-versions';
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

describe('per-bucket invalidation in the app', () => {
  const OTHER = 'other-bucket';
  const keysOf = async (h: ReturnType<typeof appHarness>, bucket: string): Promise<string[]> => {
    const page = (await (await h.request(`/v1/buckets/${bucket}/objects`)).json()) as {
      objects: Array<{ key: string }>;
    };
    return page.objects.map((o) => o.key);
  };
  const hits = async (h: ReturnType<typeof appHarness>): Promise<number> => {
    const m = /s3index_http_response_cache_total\{result="hit"\} (\d+)/.exec(
      await (await h.request('/metrics')).text(),
    );
    return Number(m?.[1]);
  };

  it("keeps a bucket's pages cached through writes to other buckets and to non-index keys", async () => {
    const h = appHarness();
    await h.post('/v1/events', [createdEvent(BUCKET, 'a'), createdEvent(OTHER, 'x')]);
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    const xml = await (await h.request(`/s3/${BUCKET}?list-type=2`)).text();
    expect(await hits(h)).toBe(0);

    // events for another bucket, and cache commands over /redis: the page is still served from the cache
    await h.post('/v1/events', createdEvent(OTHER, 'y'));
    expect(await (await h.post('/redis', ['SET', 'session:1', 'v'])).json()).toEqual({ result: 'OK' });
    await h.post('/redis', ['HSET', 's3idx', 'f', 'v']); // a key named like the prefix, but not under it
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    expect(await (await h.request(`/s3/${BUCKET}?list-type=2`)).text()).toBe(xml);
    expect(await hits(h)).toBe(2);
    // the other bucket's page shows its new object
    expect(await keysOf(h, OTHER)).toEqual(['x', 'y']);

    // a write to this bucket's index, by an event or by a raw Redis command, is seen at once
    await h.post('/v1/events', createdEvent(BUCKET, 'b'));
    expect(await keysOf(h, BUCKET)).toEqual(['a', 'b']);
    await h.post('/redis', ['ZREM', `s3idx:{${BUCKET}}:keys`, 'a']);
    expect(await keysOf(h, BUCKET)).toEqual(['b']);
    expect(await (await h.request(`/s3/${BUCKET}?list-type=2`)).text()).not.toContain('<Key>a</Key>');
    expect(await hits(h)).toBe(2);
  });

  it('recomputes pages of every bucket after a flush, a swap or a registry change, and bucket lists after any', async () => {
    const h = appHarness();
    await h.post('/v1/events', [createdEvent(BUCKET, 'a'), createdEvent(OTHER, 'x')]);
    const bucketsXml = async (): Promise<string> => (await h.request('/s3/')).text();
    expect(await bucketsXml()).toContain(`<Name>${OTHER}</Name>`);
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    // a new bucket appears in the bucket list, though no cached page of another bucket changed
    await h.post('/v1/events', createdEvent('third-bucket', 'k'));
    expect(await bucketsXml()).toContain('<Name>third-bucket</Name>');

    const session = newSession();
    const run = (...args: string[]) =>
      h.engine.execute(
        args.map((a) => Buffer.from(a)),
        session,
      );
    run('SELECT', '1');
    run('ZADD', `s3idx:{${BUCKET}}:keys`, '0', 'elsewhere'); // another database: not what the app reads
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    run('SWAPDB', '0', '1');
    expect(await keysOf(h, BUCKET)).toEqual(['elsewhere']); // db 0 now holds db 1's index
    run('SWAPDB', '0', '1');
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    run('SELECT', '0');
    run('DEL', 's3idx:buckets');
    expect(await bucketsXml()).not.toContain(`<Name>${OTHER}</Name>`);
    run('FLUSHALL');
    expect((await h.request(`/v1/buckets/${BUCKET}/objects`)).status).toBe(404); // no such bucket any more
  });
});

describe('IndexVersions', () => {
  it("moves a bucket's version on its own keys and on changes of everything, and the index version on any", () => {
    const engine = new Engine({ clock: new ManualClock() });
    const v = new IndexVersions(engine, 0);
    const a0 = v.of('a');
    const b0 = v.of('b');
    const all0 = v.of(undefined);
    engine.keyModified(0, 's3idx:{a}:keys');
    expect(v.of('a')).not.toBe(a0);
    expect(v.of('b')).toBe(b0);
    expect(v.of(undefined)).not.toBe(all0);
    const a1 = v.of('a');
    const all1 = v.of(undefined);
    engine.keyModified(0, 'cache:user:1');
    engine.keyModified(1, 's3idx:{a}:keys');
    engine.flushed(1);
    expect([v.of('a'), v.of(undefined)]).toEqual([a1, all1]);
    engine.keyModified(0, 's3idx:{a}:keys'); // the same key again (the remembered one)
    expect(v.of('a')).not.toBe(a1);
    for (const change of [
      () => engine.keyModified(0, 's3idx:buckets'),
      () => engine.keyModified(0, 's3idx:{unterminated'),
      () => engine.flushed(0),
      () => engine.swapDbs(1, 0),
    ]) {
      const before = [v.of('a'), v.of('b'), v.of(undefined)];
      change();
      const after = [v.of('a'), v.of('b'), v.of(undefined)];
      for (let i = 0; i < 3; i++) expect(after[i]).not.toBe(before[i]);
    }
  });

  it('finds the bucket of cached request targets; encoded or absent names read the whole index', () => {
    expect(bucketOfTarget('/v1/buckets/my-bucket/objects?prefix=a/ application/json')).toBe('my-bucket');
    expect(bucketOfTarget('/v1/buckets/my.bucket/stats ')).toBe('my.bucket');
    expect(bucketOfTarget('/s3/my-bucket?list-type=2 ')).toBe('my-bucket');
    expect(bucketOfTarget('/s3/my-bucket ')).toBe('my-bucket');
    expect(bucketOfTarget('/s3/my-bucket/some/key ')).toBe('my-bucket');
    expect(bucketOfTarget('/s3/my%2Dbucket?list-type=2 ')).toBeUndefined();
    expect(bucketOfTarget('/s3/ ')).toBeUndefined();
    expect(bucketOfTarget('/s3?x ')).toBeUndefined();
    expect(bucketOfTarget('/v1/buckets ')).toBeUndefined();
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
