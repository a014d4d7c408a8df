/** /v1 JSON API in process: buckets, listing (JSON and NDJSON), object lookup, stats, event ingestion, errors. */
import { type AppHarness, appHarness, bearer, RO_TOKEN, RW_TOKEN, TEST_TOKENS } from './harness';
import { AWKWARD_KEYS, createdEvent, deletedEvent, modelList, sortKeys } from './index-fixture';

const BUCKET = 'photos-bucket';

async function seeded(keys = AWKWARD_KEYS): Promise<AppHarness> {
  const h = appHarness();
  const res = await h.post(
    '/v1/events',
    keys.map((k, i) => createdEvent(BUCKET, k, { size: 100 + i })),
  );
  expect(await res.json()).toEqual({ applied: keys.length, stale: 0, duplicate: 0, ignored: 0, rejected: [] });
  return h;
}

interface JsonPage {
  bucket: string;
  prefix: string;
  delimiter: string | null;
  keyCount: number;
  isTruncated: boolean;
  nextContinuationToken: string | null;
  objects: Array<{
    key: string;
    size: number;
    etag: string;
    lastModified: string;
    storageClass: string;
    versionId: string | null;
  }>;
  commonPrefixes: string[];
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

describe('POST /v1/events', () => {
  it('ingests one event, an array, and reports stale/duplicate/rejected outcomes', async () => {
    const { post } = appHarness();
    const e = createdEvent(BUCKET, 'k');
    expect(await (await post('/v1/events', e)).json()).toEqual({
      applied: 1,
      stale: 0,
      duplicate: 0,
      ignored: 0,
      rejected: [],
    });
    const again = await post('/v1/events', [e, { source: 'nope' }]);
    expect(again.status).toBe(200);
    const out = (await again.json()) as { duplicate: number; rejected: Array<{ index: number; reason: string }> };
    expect(out.duplicate).toBe(1);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.index).toBe(1);
  });

  it('needs a read-write token and valid JSON within the size limit', async () => {
    const { post } = appHarness({ tokens: TEST_TOKENS, limits: { maxBodyBytes: 2048 } });
    const e = createdEvent(BUCKET, 'k');
    expect((await post('/v1/events', e)).status).toBe(401);
    const ro = await post('/v1/events', e, bearer(RO_TOKEN));
    expect(ro.status).toBe(403);
    expect(await ro.json()).toEqual({
      error: { code: 'Forbidden', message: 'a read-write token is needed to ingest events' },
    });
    expect((await post('/v1/events', e, bearer(RW_TOKEN))).status).toBe(200);
    const bad = await post('/v1/events', '{"a":', bearer(RW_TOKEN));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'InvalidJSON', message: 'request body is not valid JSON' } });
    const big = await post('/v1/events', Array(10).fill(e), bearer(RW_TOKEN));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
  });
});

describe('GET /v1/buckets', () => {
  it('lists indexed buckets with counts and bytes', async () => {
    const { request, post } = await seeded(['a', 'b']);
    await post('/v1/events', createdEvent('another-bucket', 'x', { size: 7 }));
    const res = await request('/v1/buckets');
    expect(await res.json()).toEqual({
      buckets: [
        { name: 'another-bucket', objects: 1, bytes: 7 },
        { name: BUCKET, objects: 2, bytes: 201 },
      ],
    });
  });
});

describe('GET /v1/buckets/{bucket}/objects', () => {
  it('answers the JSON listing shape', async () => {
    const { request } = await seeded(['x/1', 'x/2', 'y']);
    const res = await request(`/v1/buckets/${BUCKET}/objects?prefix=x/&max-keys=1`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const page = (await res.json()) as JsonPage;
    expect(page).toEqual({
      bucket: BUCKET,
      prefix: 'x/',
      delimiter: null,
      keyCount: 1,
      isTruncated: true,
      nextContinuationToken: expect.any(String),
      objects: [
        {
          key: 'x/1',
          size: 100,
          etag: expect.stringMatching(/^[0-9a-f]{32}$/),
          lastModified: '2024-05-01T12:00:00.000Z',
          storageClass: 'STANDARD',
          versionId: null,
        },
      ],
      commonPrefixes: [],
    });
    const next = (await (
      await request(
        `/v1/buckets/${BUCKET}/objects?${q({ prefix: 'x/', 'continuation-token': page.nextContinuationToken! })}`,
      )
    ).json()) as JsonPage;
    expect(next.objects.map((o) => o.key)).toEqual(['x/2']);
    expect(next.isTruncated).toBe(false);
    expect(next.nextContinuationToken).toBeNull();
  });

  it('matches the reference model for many parameter combinations, paging with its tokens', async () => {
    const { request } = await seeded();
    const sorted = sortKeys(AWKWARD_KEYS);
    for (const prefix of ['', 'a/', 'a/b', 'b', 'c/d/', 'nothing']) {
      for (const delimiter of [undefined, '/', '+', 'e/']) {
        for (const maxKeys of [1, 3, 1000]) {
          for (const startAfter of [undefined, 'a/b/', 'a/😀', 'c']) {
            let after = startAfter;
            let token: string | undefined;
            for (let pageNo = 0; pageNo < 50; pageNo++) {
              const params: Record<string, string> = { prefix, 'max-keys': String(maxKeys) };
              if (delimiter) params.delimiter = delimiter;
              if (startAfter) params['start-after'] = startAfter;
              if (token) params['continuation-token'] = token;
              const got = (await (await request(`/v1/buckets/${BUCKET}/objects?${q(params)}`)).json()) as JsonPage;
              const want = modelList(sorted, { prefix, delimiter, maxKeys, after });
              const ctx = JSON.stringify({ prefix, delimiter, maxKeys, startAfter, pageNo });
              expect({
                ctx,
                keys: got.objects.map((o) => o.key),
                cps: got.commonPrefixes,
                trunc: got.isTruncated,
              }).toEqual({
                ctx,
                keys: want.keys,
                cps: want.commonPrefixes,
                trunc: want.isTruncated,
              });
              expect(got.keyCount).toBe(want.keys.length + want.commonPrefixes.length);
              if (!got.isTruncated) break;
              token = got.nextContinuationToken!;
              after = want.last;
            }
          }
        }
      }
    }
  });

  it('accepts max-keys up to 10,000 and refuses more, negatives and garbage', async () => {
    const { request } = await seeded(['a']);
    expect((await request(`/v1/buckets/${BUCKET}/objects?max-keys=10000`)).status).toBe(200);
    expect((await request(`/v1/buckets/${BUCKET}/objects?max-keys=0`)).status).toBe(200);
    for (const bad of ['10001', '-1', 'ten', '1.5', '']) {
      const res = await request(`/v1/buckets/${BUCKET}/objects?max-keys=${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidArgument');
    }
  });

  it('answers 404 NoSuchBucket, 400 InvalidBucketName, 400 on a bad token or an over-long prefix', async () => {
    const { request } = await seeded(['a']);
    let res = await request('/v1/buckets/unknown-bucket/objects');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'NoSuchBucket', message: 'The specified bucket does not exist' },
    });
    res = await request('/v1/buckets/Bad_Bucket/objects');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidBucketName');
    res = await request(`/v1/buckets/${BUCKET}/objects?continuation-token=`);
    expect(res.status).toBe(400);
    res = await request(`/v1/buckets/${BUCKET}/objects?continuation-token=bm9wZQ`);
    expect(res.status).toBe(400);
    res = await request(`/v1/buckets/${BUCKET}/objects?prefix=${'x'.repeat(1025)}`);
    expect(res.status).toBe(400);
  });

  it('streams the whole listing as NDJSON with Accept: application/x-ndjson', async () => {
    const keys = Array.from({ length: 12_000 }, (_, i) => `k/${String(i).padStart(6, '0')}`);
    const h = appHarness();
    for (let i = 0; i < keys.length; i += 4000) {
      await h.post(
        '/v1/events',
        keys.slice(i, i + 4000).map((k) => createdEvent(BUCKET, k, { size: 1 })),
      );
    }
    await h.post('/v1/events', createdEvent(BUCKET, 'other'));
    const res = await h.request(`/v1/buckets/${BUCKET}/objects?prefix=k/`, {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(keys.length);
    expect(lines.map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(keys);
    expect(JSON.parse(lines[0]!)).toEqual({
      key: 'k/000000',
      size: 1,
      etag: expect.any(String),
      lastModified: '2024-05-01T12:00:00.000Z',
      storageClass: 'STANDARD',
      versionId: null,
    });
  });

  it('NDJSON with a delimiter merges common prefixes in order; 404 for a missing bucket', async () => {
    const { request } = await seeded();
    const res = await request(`/v1/buckets/${BUCKET}/objects?prefix=a/&delimiter=/`, {
      headers: { accept: 'application/x-ndjson' },
    });
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key?: string; commonPrefix?: string });
    const want = modelList(sortKeys(AWKWARD_KEYS), { prefix: 'a/', delimiter: '/', maxKeys: 100_000 });
    expect(lines.filter((l) => l.key).map((l) => l.key)).toEqual(want.keys);
    expect(lines.filter((l) => l.commonPrefix).map((l) => l.commonPrefix)).toEqual(want.commonPrefixes);
    const order = lines.map((l) => (l.key ?? l.commonPrefix)!);
    expect(order).toEqual(sortKeys(order));
    const missing = await request('/v1/buckets/no-such-bucket/objects', {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(missing.status).toBe(404);
  });
});

describe('GET /v1/buckets/{bucket}/objects/{key}', () => {
  it('finds keys with slashes, unicode and percent-encoded characters, and 404s the rest', async () => {
    const { request, post } = await seeded();
    for (const key of AWKWARD_KEYS) {
      const path = key.split('/').map(encodeURIComponent).join('/');
      const res = await request(`/v1/buckets/${BUCKET}/objects/${path}`);
      expect({ key, status: res.status }).toEqual({ key, status: 200 });
      expect(((await res.json()) as { key: string }).key).toBe(key);
    }
    // '%2F' is a '/' too
    expect((await request(`/v1/buckets/${BUCKET}/objects/a%2Fb%2Fc.txt`)).status).toBe(200);
    let res = await request(`/v1/buckets/${BUCKET}/objects/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NoSuchKey', message: 'The specified key does not exist.' } });
    await post('/v1/events', deletedEvent(BUCKET, 'a.txt'));
    expect((await request(`/v1/buckets/${BUCKET}/objects/a.txt`)).status).toBe(404);
    res = await request(`/v1/buckets/${BUCKET}/objects/${'k'.repeat(1025)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('KeyTooLongError');
    expect((await request(`/v1/buckets/${BUCKET}/objects/%E0%A4%A`)).status).toBe(400);
    expect((await request('/v1/buckets/no-such-bucket/objects/a')).status).toBe(404);
  });
});

describe('GET /v1/buckets/{bucket}/stats', () => {
  it('counts objects and bytes under a prefix', async () => {
    const { request } = await seeded(['a/1', 'a/2', 'b/1']);
    expect(await (await request(`/v1/buckets/${BUCKET}/stats`)).json()).toEqual({ objects: 3, bytes: 303 });
    expect(await (await request(`/v1/buckets/${BUCKET}/stats?prefix=a/`)).json()).toEqual({ objects: 2, bytes: 201 });
    expect(await (await request(`/v1/buckets/${BUCKET}/stats?prefix=zz`)).json()).toEqual({ objects: 0, bytes: 0 });
    expect((await request('/v1/buckets/no-such-bucket/stats')).status).toBe(404);
  });
});

describe('metrics for the index', () => {
  it('reports objects and bytes per bucket and events by outcome', async () => {
    const { request, post } = await seeded(['a', 'b']);
    await post('/v1/events', [createdEvent(BUCKET, 'c'), { nope: 1 }]);
    const text = await (await request('/metrics')).text();
    expect(text).toContain(`s3index_objects{bucket="${BUCKET}"} 3`);
    expect(text).toContain(`s3index_object_bytes{bucket="${BUCKET}"} 202`);
    expect(text).toContain('s3index_events_total{outcome="applied"} 3');
    expect(text).toContain('s3index_events_total{outcome="rejected"} 1');
    expect(text).toContain('s3index_http_requests_total{route="/v1/events",method="POST",status="200"} 2');
  });
});
