/** The response cache: identical reads are served from memory until the next write to what they read. */
import { ManualClock } from '../../src/engine/clock';
import { Engine, newSession } from '../../src/engine/engine';
import { bucketOfTarget, IndexVersions } from '../../src/http/index-versions';
import { ResponseCache } from '../../src/http/response-cache';
import { S3Index } from '../../src/service/s3-index';
import { appHarness } from './harness';
import { createdEvent, deletedEvent } from './index-fixture';

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
    await h.post('/redis', ['S3IDX.DROP', BUCKET]);
    expect((await h.request(`/v1/buckets/${BUCKET}/objects`)).status).toBe(404);
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

    // a raw Redis write to the index is refused: the page stays cached
    expect((await h.post('/redis', ['ZREM', `s3idx:{${BUCKET}}:keys`, 'a'])).status).toBe(403);
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    expect(await hits(h)).toBe(3);
    // a write to this bucket's index, by an event or by S3IDX.DROP, is seen at once
    await h.post('/v1/events', createdEvent(BUCKET, 'b'));
    expect(await keysOf(h, BUCKET)).toEqual(['a', 'b']);
    await h.post('/v1/events', deletedEvent(BUCKET, 'a'));
    expect(await keysOf(h, BUCKET)).toEqual(['b']);
    expect(await (await h.request(`/s3/${BUCKET}?list-type=2`)).text()).not.toContain('<Key>a</Key>');
    expect(await hits(h)).toBe(3);
    await h.post('/redis', ['S3IDX.DROP', BUCKET]);
    expect((await h.request(`/v1/buckets/${BUCKET}/objects`)).status).toBe(404);
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
    run('S3IDX.INGEST', JSON.stringify(createdEvent(BUCKET, 'elsewhere'))); // another database: not what the app reads
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    run('SWAPDB', '0', '1');
    expect(await keysOf(h, BUCKET)).toEqual(['elsewhere']); // db 0 now holds db 1's index
    run('SWAPDB', '0', '1');
    expect(await keysOf(h, BUCKET)).toEqual(['a']);
    run('SELECT', '0');
    run('S3IDX.DROP', OTHER);
    expect(await bucketsXml()).not.toContain(`<Name>${OTHER}</Name>`);
    run('FLUSHALL');
    expect((await h.request(`/v1/buckets/${BUCKET}/objects`)).status).toBe(404); // no such bucket any more
  });
});

describe('key-range invalidation in the app', () => {
  const B = 'range-bucket';
  type Page = { objects: Array<{ key: string }>; commonPrefixes: string[]; isTruncated: boolean };
  const page = async (h: ReturnType<typeof appHarness>, query: string): Promise<Page> =>
    (await (await h.request(`/v1/buckets/${B}/objects?${query}`)).json()) as Page;
  const counts = async (h: ReturnType<typeof appHarness>): Promise<[number, number]> => {
    const text = await (await h.request('/metrics')).text();
    const n = (r: string): number =>
      Number(new RegExp(`response_cache_total\\{result="${r}"\\} (\\d+)`).exec(text)?.[1]);
    return [n('hit'), n('miss')];
  };
  const deleted = (key: string): Record<string, unknown> => deletedEvent(B, key);

  it('keeps pages whose keys did not change, through events for other keys of the bucket', async () => {
    const h = appHarness();
    await h.post(
      '/v1/events',
      ['users/1', 'users/2', 'logs/a'].map((k) => createdEvent(B, k)),
    );
    const users = await page(h, 'prefix=users/');
    const xml = await (await h.request(`/s3/${B}?list-type=2&prefix=users/`)).text();
    const stats = await (await h.request(`/v1/buckets/${B}/stats?prefix=users/`)).text();
    const head = await (await h.request(`/v1/buckets/${B}/objects/users/1`)).text();
    expect(await counts(h)).toEqual([0, 4]);
    await h.post(
      '/v1/events',
      ['logs/b', 'logs/c', 'users0', 'user'].map((k) => createdEvent(B, k)),
    );
    expect(await page(h, 'prefix=users/')).toEqual(users);
    expect(await (await h.request(`/s3/${B}?list-type=2&prefix=users/`)).text()).toBe(xml);
    expect(await (await h.request(`/v1/buckets/${B}/stats?prefix=users/`)).text()).toBe(stats);
    expect(await (await h.request(`/v1/buckets/${B}/objects/users/1`)).text()).toBe(head);
    expect(await counts(h)).toEqual([4, 4]);
    // a new key under the prefix: every one of them but the other object's head is recomputed
    await h.post('/v1/events', createdEvent(B, 'users/3', { size: 1234 }));
    expect((await page(h, 'prefix=users/')).objects.map((o) => o.key)).toEqual(['users/1', 'users/2', 'users/3']);
    expect(await (await h.request(`/s3/${B}?list-type=2&prefix=users/`)).text()).toContain('<Key>users/3</Key>');
    expect(JSON.parse(await (await h.request(`/v1/buckets/${B}/stats?prefix=users/`)).text())).toEqual({
      objects: 3,
      bytes: 'users/1'.length + 'users/2'.length + 1234,
    });
    expect(await (await h.request(`/v1/buckets/${B}/objects/users/1`)).text()).toBe(head);
    expect(await counts(h)).toEqual([5, 7]);
    // a change of the object itself
    await h.post('/v1/events', createdEvent(B, 'users/1', { size: 99 }));
    expect(JSON.parse(await (await h.request(`/v1/buckets/${B}/objects/users/1`)).text())).toMatchObject({ size: 99 });
  });

  it('bounds a truncated page by the key past it, and a continued page by its start', async () => {
    const h = appHarness();
    await h.post(
      '/v1/events',
      ['a', 'b', 'c', 'd'].map((k) => createdEvent(B, k)),
    );
    const first = await page(h, 'max-keys=2');
    expect([first.objects.map((o) => o.key), first.isTruncated]).toEqual([['a', 'b'], true]);
    const rest = await page(h, 'start-after=b');
    expect(rest.objects.map((o) => o.key)).toEqual(['c', 'd']);
    // past the key that made the first page truncated: it stays cached
    await h.post('/v1/events', createdEvent(B, 'e'));
    expect(await page(h, 'max-keys=2')).toEqual(first);
    expect(await counts(h)).toEqual([1, 2]);
    // before the continued page's start: it stays cached, the first page is recomputed
    await h.post('/v1/events', createdEvent(B, '0'));
    expect((await page(h, 'start-after=b')).objects.map((o) => o.key)).toEqual(['c', 'd', 'e']);
    expect(await counts(h)).toEqual([1, 3]); // 'e' was in its range
    expect((await page(h, 'start-after=b')).objects.map((o) => o.key)).toEqual(['c', 'd', 'e']);
    expect((await page(h, 'max-keys=2')).objects.map((o) => o.key)).toEqual(['0', 'a']);
    await h.post('/v1/events', createdEvent(B, '00'));
    expect((await page(h, 'start-after=b')).objects.map((o) => o.key)).toEqual(['c', 'd', 'e']);
    expect(await counts(h)).toEqual([3, 4]);
    // deleting the keys past the first page makes it the last one: it must not stay truncated
    await h.post('/v1/events', [deleted('0'), deleted('00')]);
    expect((await page(h, 'max-keys=2')).objects.map((o) => o.key)).toEqual(['a', 'b']);
    await h.post('/v1/events', [deleted('c'), deleted('d'), deleted('e')]);
    const last = await page(h, 'max-keys=2');
    expect([last.objects.map((o) => o.key), last.isTruncated]).toEqual([['a', 'b'], false]);
    expect((await page(h, 'start-after=b')).objects).toEqual([]);
  });

  it('bounds ListObjects (v1) pages too: by prefix, marker and the key past a truncated page', async () => {
    const h = appHarness();
    await h.post(
      '/v1/events',
      ['p/a', 'p/b', 'p/c', 'q/x'].map((k) => createdEvent(B, k)),
    );
    const v1 = async (query: string): Promise<{ keys: string[]; truncated: boolean }> => {
      const text = await (await h.request(`/s3/${B}?${query}`)).text();
      return {
        keys: [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!),
        truncated: text.includes('<IsTruncated>true</IsTruncated>'),
      };
    };
    expect(await v1('prefix=p/&max-keys=2')).toEqual({ keys: ['p/a', 'p/b'], truncated: true });
    expect(await v1('prefix=p/&marker=p/b')).toEqual({ keys: ['p/c'], truncated: false });
    // outside the prefix, and past the key after the truncated page: both stay cached
    await h.post('/v1/events', [createdEvent(B, 'q/y'), createdEvent(B, 'p/d')]);
    expect(await v1('prefix=p/&max-keys=2')).toEqual({ keys: ['p/a', 'p/b'], truncated: true });
    expect(await counts(h)).toEqual([1, 2]);
    // before the marker: the continued page stays cached; the first one is recomputed
    await h.post('/v1/events', createdEvent(B, 'p/0'));
    expect(await v1('prefix=p/&max-keys=2')).toEqual({ keys: ['p/0', 'p/a'], truncated: true });
    expect(await v1('prefix=p/&marker=p/b')).toEqual({ keys: ['p/c', 'p/d'], truncated: false });
    expect(await counts(h)).toEqual([1, 4]);
    expect(await v1('prefix=p/&marker=p/b')).toEqual({ keys: ['p/c', 'p/d'], truncated: false });
    expect(await counts(h)).toEqual([2, 4]);
    // the keys past the first page deleted: it is the last page now
    await h.post(
      '/v1/events',
      ['p/b', 'p/c', 'p/d'].map((k) => deleted(k)),
    );
    expect(await v1('prefix=p/&max-keys=2')).toEqual({ keys: ['p/0', 'p/a'], truncated: false });
    expect(await v1('prefix=p/&marker=p/b')).toEqual({ keys: [], truncated: false });
  });

  it('recomputes every page of the bucket after more changes than its log keeps', async () => {
    const h = appHarness();
    await h.post('/v1/events', [createdEvent(B, 'users/1'), createdEvent(B, 'logs/0')]);
    await page(h, 'prefix=users/');
    await h.post(
      '/v1/events',
      Array.from({ length: 1000 }, (_, i) => createdEvent(B, `logs/${i + 1}`)),
    );
    await page(h, 'prefix=users/');
    expect(await counts(h)).toEqual([1, 1]);
    await h.post(
      '/v1/events',
      Array.from({ length: 1100 }, (_, i) => createdEvent(B, `logs/x${i}`)),
    );
    expect((await page(h, 'prefix=users/')).objects.map((o) => o.key)).toEqual(['users/1']);
    expect(await counts(h)).toEqual([1, 2]);
  });
});

describe('cached answers equal uncached ones', () => {
  it('over random events and random queries (listing pages, S3 v2 and v1 pages, stats, heads)', async () => {
    const B = 'random-bucket';
    const cached = appHarness();
    const fresh = appHarness({ limits: { responseCacheBytes: 0 } });
    let x = 12345;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
    const parts = ['a', 'b/', 'b/c', 'é', '😀/', 'z', ' '];
    const randomKey = (): string => Array.from({ length: 1 + rnd(3) }, () => pick(parts)).join('');
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) keys.push(randomKey());
    const query = (): string => {
      const q = new URLSearchParams();
      if (rnd(2)) q.set('prefix', pick(['', 'b', 'b/', 'a', '😀/', 'é']));
      if (rnd(2)) q.set('delimiter', pick(['/', 'c', 'b']));
      if (rnd(2)) q.set('max-keys', String(1 + rnd(4)));
      if (rnd(3) === 0) q.set('start-after', pick(keys));
      return q.toString();
    };
    const targets = (): string[] => {
      const q = query();
      return [
        `/v1/buckets/${B}/objects?${q}`,
        `/s3/${B}?list-type=2&${q}`,
        `/v1/buckets/${B}/stats?prefix=${encodeURIComponent(pick(['', 'b', 'b/', 'a', 'é']))}`,
        `/v1/buckets/${B}/objects/${encodeURIComponent(pick(keys))}`,
        `/s3/${B}?${q.replace('start-after=', 'marker=')}`,
      ];
    };
    const asked: string[] = [];
    let compared = 0;
    for (let round = 0; round < 150; round++) {
      const batch = Array.from({ length: 1 + rnd(3) }, () =>
        rnd(3) === 0 ? deletedEvent(B, pick(keys)) : createdEvent(B, pick(keys), { size: rnd(1000) }),
      );
      for (const h of [cached, fresh]) expect((await h.post('/v1/events', batch)).status).toBe(200);
      // new questions, and questions asked before (cached, perhaps stale)
      for (let i = 0; i < 3; i++) asked.push(...targets());
      for (let i = 0; i < 12; i++) {
        const t = rnd(2) ? asked[asked.length - 1 - rnd(12)]! : pick(asked);
        const [a, b] = await Promise.all([cached.request(t), fresh.request(t)]);
        expect([t, a.status, await a.text()]).toEqual([t, b.status, await b.text()]);
        compared++;
      }
    }
    const hits = /response_cache_total\{result="hit"\} (\d+)/.exec(await (await cached.request('/metrics')).text());
    // the comparison is of cached answers, many of them kept through events
    expect(Number(hits?.[1])).toBeGreaterThan(compared / 4);
  });
});

describe('IndexVersions', () => {
  it("moves a bucket's version on its own keys and on changes of everything, and the index version on any", () => {
    const engine = new Engine({ clock: new ManualClock() });
    const v = new IndexVersions(new S3Index(engine));
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
    const c = new ResponseCache(
      { version: () => version, currentFor: (_k, since) => (since === version ? version : undefined) },
      2,
      1000,
      600,
    );
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
