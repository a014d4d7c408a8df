/** /s3 in process: the exact ListObjectsV2 XML, encoding-type=url, HeadObject/HeadBucket headers, S3 XML errors. */
import { s3UrlEncode } from '../../src/http/s3-xml';
import { xmlEscape } from '../../src/http/xml';
import { type AppHarness, appHarness } from './harness';
import { AWKWARD_KEYS, createdEvent, deletedEvent, modelListAll, sortKeys } from './index-fixture';

const BUCKET = 'example-bucket';
const ETAG = 'b1946ac92492d2347c6235b4d2611184';

async function seeded(keys: string[]): Promise<AppHarness> {
  const h = appHarness();
  await h.post(
    '/v1/events',
    keys.map((k) => createdEvent(BUCKET, k, { size: 5, etag: ETAG })),
  );
  return h;
}

const tag = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);

describe('ListObjectsV2', () => {
  it('renders the ListBucketResult document exactly', async () => {
    const { request } = await seeded(['photos/a b.jpg', 'photos/2024/x.jpg', 'readme']);
    const res = await request(`/s3/${BUCKET}?list-type=2&prefix=photos/&delimiter=/&max-keys=10`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(await res.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${BUCKET}</Name><Prefix>photos/</Prefix><Delimiter>/</Delimiter><MaxKeys>10</MaxKeys>` +
        '<KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>' +
        '<Contents><Key>photos/a b.jpg</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified>' +
        `<ETag>&quot;${ETAG}&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>` +
        '<CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes>' +
        '</ListBucketResult>',
    );
  });

  it('url-encodes Key, Prefix, Delimiter, StartAfter and CommonPrefixes with encoding-type=url', async () => {
    const { request } = await seeded(['a+b/c d/é', 'a+b/x&y']);
    const res = await request(
      `/s3/${BUCKET}?list-type=2&prefix=a%2Bb%2F&delimiter=%20&start-after=a%2Bb%2F%2B&encoding-type=url`,
    );
    const xml = await res.text();
    expect(tag(xml, 'EncodingType')).toEqual(['url']);
    expect(tag(xml, 'Prefix')).toEqual(['a%2Bb/', 'a%2Bb/c%20']);
    expect(tag(xml, 'Delimiter')).toEqual(['%20']);
    expect(tag(xml, 'StartAfter')).toEqual(['a%2Bb/%2B']);
    expect(tag(xml, 'Key')).toEqual(['a%2Bb/x%26y']);
  });

  it('pages with opaque continuation tokens and caps max-keys at 1000', async () => {
    const keys = Array.from({ length: 1500 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const { request } = await seeded(keys);
    const first = await (await request(`/s3/${BUCKET}?list-type=2&max-keys=5000`)).text();
    expect(tag(first, 'MaxKeys')).toEqual(['1000']);
    expect(tag(first, 'KeyCount')).toEqual(['1000']);
    expect(tag(first, 'IsTruncated')).toEqual(['true']);
    const [token] = tag(first, 'NextContinuationToken');
    expect(token).toBeDefined();
    const second = await (
      await request(`/s3/${BUCKET}?list-type=2&continuation-token=${encodeURIComponent(token!)}&start-after=zzz`)
    ).text();
    expect(tag(second, 'ContinuationToken')).toEqual([token]);
    expect(tag(second, 'StartAfter')).toEqual([]); // the token wins, StartAfter is not echoed
    expect(tag(second, 'Key')).toEqual(keys.slice(1000));
    expect(tag(second, 'IsTruncated')).toEqual(['false']);
    expect(tag(second, 'NextContinuationToken')).toEqual([]);
  });

  it('answers S3 XML errors', async () => {
    const { request } = await seeded(['a']);
    const cases: Array<[string, number, string]> = [
      ['/s3/no-such-bucket?list-type=2', 404, 'NoSuchBucket'],
      [`/s3/${BUCKET}?list-type=2&continuation-token=`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?list-type=2&continuation-token=garbage`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?list-type=2&encoding-type=base64`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?list-type=2&max-keys=-1`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?list-type=2&max-keys=abc`, 400, 'InvalidArgument'],
      ['/s3/In_Valid?list-type=2', 400, 'InvalidBucketName'],
      [`/s3/${BUCKET}?list-type=3`, 501, 'NotImplemented'],
      [`/s3/${BUCKET}?marker=a&continuation-token=x`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?start-after=a`, 400, 'InvalidArgument'],
      [`/s3/${BUCKET}?encoding-type=base64`, 400, 'InvalidArgument'],
      ['/s3/no-such-bucket', 404, 'NoSuchBucket'],
      [`/s3/${BUCKET}?versioning`, 501, 'NotImplemented'],
      [`/s3/${BUCKET}/a`, 501, 'NotImplemented'],
      [`/s3/${BUCKET}/${'k'.repeat(1025)}`, 400, 'KeyTooLongError'],
    ];
    for (const [path, status, code] of cases) {
      const res = await request(path);
      const xml = await res.text();
      expect({ path, status: res.status, code: tag(xml, 'Code')[0] }).toEqual({ path, status, code });
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>/);
      expect(tag(xml, 'RequestId')).toEqual([res.headers.get('x-amz-request-id')]);
    }
    // writes are S3 operations the endpoint does not implement (s3-not-implemented.test.ts names them all)
    const put = await request(`/s3/${BUCKET}/a`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(501);
    expect(tag(await put.text(), 'Code')).toEqual(['NotImplemented']);
    const patch = await request(`/s3/${BUCKET}/a`, { method: 'PATCH', body: 'x' });
    expect(patch.status).toBe(405);
    expect(tag(await patch.text(), 'Code')).toEqual(['MethodNotAllowed']);
  });
});

describe('ListObjects (v1)', () => {
  it('renders the ListBucketResult document exactly, NextMarker only with a delimiter', async () => {
    const { request } = await seeded(['photos/a b.jpg', 'photos/2024/x.jpg', 'photos/2025/y.jpg', 'readme']);
    const res = await request(`/s3/${BUCKET}?prefix=photos/&delimiter=/&max-keys=2&marker=photos/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(await res.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${BUCKET}</Name><Prefix>photos/</Prefix><Marker>photos/1</Marker>` +
        '<NextMarker>photos/2025/</NextMarker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>' +
        '<IsTruncated>true</IsTruncated>' +
        '<CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes>' +
        '<CommonPrefixes><Prefix>photos/2025/</Prefix></CommonPrefixes>' +
        '</ListBucketResult>',
    );
    const next = await (
      await request(`/s3/${BUCKET}?prefix=photos/&delimiter=/&max-keys=2&marker=photos/2025/`)
    ).text();
    expect(tag(next, 'Key')).toEqual(['photos/a b.jpg']);
    expect(tag(next, 'IsTruncated')).toEqual(['false']);
    expect(tag(next, 'NextMarker')).toEqual([]);
    // without a delimiter: no NextMarker even when truncated (clients continue from the last Key); empty Marker echoed
    const plain = await (await request(`/s3/${BUCKET}?max-keys=1`)).text();
    expect(plain).toContain(
      `<Name>${BUCKET}</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>` +
        '<Contents><Key>photos/2024/x.jpg</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified>' +
        `<ETag>&quot;${ETAG}&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
    expect(tag(plain, 'NextMarker')).toEqual([]);
  });

  it('url-encodes Prefix, Marker, NextMarker, Delimiter, Key and CommonPrefixes with encoding-type=url', async () => {
    const { request } = await seeded(['a+b/c d/é', 'a+b/c d/f', 'a+b/x&y', 'a+b/z']);
    const xml = await (
      await request(`/s3/${BUCKET}?prefix=a%2Bb%2F&delimiter=%20&marker=a%2Bb%2F%2B&max-keys=2&encoding-type=url`)
    ).text();
    expect(tag(xml, 'EncodingType')).toEqual(['url']);
    expect(tag(xml, 'Prefix')).toEqual(['a%2Bb/', 'a%2Bb/c%20']);
    expect(tag(xml, 'Marker')).toEqual(['a%2Bb/%2B']);
    expect(tag(xml, 'NextMarker')).toEqual(['a%2Bb/x%26y']);
    expect(tag(xml, 'Delimiter')).toEqual(['%20']);
    expect(tag(xml, 'Key')).toEqual(['a%2Bb/x%26y']);
  });

  it('pages with markers exactly like the reference model, for many parameter combinations', async () => {
    const { request } = await seeded(AWKWARD_KEYS);
    const sorted = sortKeys(AWKWARD_KEYS);
    for (const prefix of ['', 'a/', 'a/b', 'b', 'zz']) {
      for (const delimiter of [undefined, '/', '+', ' ', 'b/']) {
        for (const maxKeys of [1, 3, 1000]) {
          for (const marker of [undefined, 'a/b', 'a/b/', 'a/😀']) {
            const keys: string[] = [];
            const prefixes: string[] = [];
            let m = marker;
            for (let page = 0; page < 100; page++) {
              const q = new URLSearchParams({ prefix, 'max-keys': String(maxKeys), 'encoding-type': 'url' });
              if (delimiter !== undefined) q.set('delimiter', delimiter);
              if (m !== undefined) q.set('marker', m);
              const xml = await (await request(`/s3/${BUCKET}?${q}`)).text();
              const pageKeys = tag(xml, 'Key').map(decodeURIComponent);
              keys.push(...pageKeys);
              prefixes.push(
                ...[...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)</g)].map((x) => decodeURIComponent(x[1]!)),
              );
              if (tag(xml, 'IsTruncated')[0] !== 'true') break;
              const next = tag(xml, 'NextMarker').map(decodeURIComponent)[0];
              expect(next === undefined).toBe(delimiter === undefined);
              m = next ?? pageKeys[pageKeys.length - 1];
            }
            const want = modelListAll(sorted, { prefix, delimiter, maxKeys, after: marker });
            const ctx = JSON.stringify({ prefix, delimiter, maxKeys, marker });
            expect({ ctx, keys, prefixes }).toEqual({
              ctx,
              keys: want.flatMap((p) => p.keys),
              prefixes: want.flatMap((p) => p.commonPrefixes),
            });
          }
        }
      }
    }
  });
});

describe('HeadObject, HeadBucket, ListBuckets, GetBucketLocation', () => {
  it('answers HeadObject with S3 headers', async () => {
    const { request, post } = await seeded(['dir/a b+c.txt']);
    await post('/v1/events', createdEvent(BUCKET, 'versioned', { size: 42, etag: `${ETAG}-3`, versionId: 'v1' }));
    let res = await request(`/s3/${BUCKET}/dir/a%20b%2Bc.txt`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('5');
    expect(res.headers.get('etag')).toBe(`"${ETAG}"`);
    expect(res.headers.get('last-modified')).toBe('Wed, 01 May 2024 12:00:00 GMT');
    expect(res.headers.get('x-amz-storage-class')).toBeNull();
    expect(res.headers.get('x-amz-version-id')).toBeNull();
    res = await request(`/s3/${BUCKET}/versioned`, { method: 'HEAD' });
    expect(res.headers.get('x-amz-version-id')).toBe('v1');
    expect(res.headers.get('etag')).toBe(`"${ETAG}-3"`);
    expect((await request(`/s3/${BUCKET}/versioned?versionId=v1`, { method: 'HEAD' })).status).toBe(200);
    expect((await request(`/s3/${BUCKET}/versioned?versionId=v0`, { method: 'HEAD' })).status).toBe(404);
    // a newer version, then a delete marker: older versions stay answerable by id, as in S3
    await post('/v1/events', createdEvent(BUCKET, 'versioned', { size: 7, versionId: 'v2' }));
    res = await request(`/s3/${BUCKET}/versioned?versionId=v1`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('42');
    expect(res.headers.get('x-amz-version-id')).toBe('v1');
    expect((await request(`/s3/${BUCKET}/versioned`, { method: 'HEAD' })).headers.get('x-amz-version-id')).toBe('v2');
    await post('/v1/events', deletedEvent(BUCKET, 'versioned', 'dm1'));
    res = await request(`/s3/${BUCKET}/versioned`, { method: 'HEAD' });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amz-delete-marker')).toBe('true');
    expect(res.headers.get('x-amz-version-id')).toBe('dm1');
    res = await request(`/s3/${BUCKET}/versioned?versionId=dm1`, { method: 'HEAD' });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-amz-delete-marker')).toBe('true');
    expect(res.headers.get('last-modified')).toBe('Thu, 02 May 2024 12:00:00 GMT');
    res = await request(`/s3/${BUCKET}/versioned?versionId=v2`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('7');
    expect(res.headers.get('x-amz-delete-marker')).toBeNull();
    res = await request(`/s3/${BUCKET}/missing`, { method: 'HEAD' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    await post('/v1/events', deletedEvent(BUCKET, 'dir/a b+c.txt'));
    expect((await request(`/s3/${BUCKET}/dir/a%20b%2Bc.txt`, { method: 'HEAD' })).status).toBe(404);
    expect((await request('/s3/no-such-bucket/x', { method: 'HEAD' })).status).toBe(404);
  });

  it('answers HeadBucket, ListBuckets and GetBucketLocation', async () => {
    const { request } = await seeded(['a']);
    expect((await request(`/s3/${BUCKET}`, { method: 'HEAD' })).status).toBe(200);
    expect((await request('/s3/other-bucket', { method: 'HEAD' })).status).toBe(404);
    for (const path of ['/s3', '/s3/']) {
      const xml = await (await request(path)).text();
      expect(xml).toContain('<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
      expect(tag(xml, 'Name')).toEqual([BUCKET]);
    }
    expect(await (await request(`/s3/${BUCKET}?location`)).text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>',
    );
  });
});

describe('encoders', () => {
  it('s3UrlEncode keeps unreserved characters and /, encodes the rest as UTF-8', () => {
    expect(s3UrlEncode("a b+c/é~_-.!*'()")).toBe('a%20b%2Bc/%C3%A9~_-.%21%2A%27%28%29');
    expect(decodeURIComponent(s3UrlEncode('😀/x y'))).toBe('😀/x y');
  });

  it('xmlEscape escapes metacharacters and control characters', () => {
    expect(xmlEscape(`<a&"b'>`)).toBe('&lt;a&amp;&quot;b&apos;&gt;');
    expect(xmlEscape('a\u0001b\tc\n')).toBe('a&#x1;b\tc\n');
  });
});
