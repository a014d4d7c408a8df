/** /s3 in process: the exact ListObjectsV2 XML, encoding-type=url, HeadObject/HeadBucket headers, S3 XML errors. */
import { s3UrlEncode } from '../../src/http/s3-xml';
import { xmlEscape } from '../../src/http/xml';
import { type AppHarness, appHarness } from './harness';
import { createdEvent, deletedEvent } from './index-fixture';

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
      [`/s3/${BUCKET}`, 501, 'NotImplemented'],
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
    const put = await request(`/s3/${BUCKET}/a`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(tag(await put.text(), 'Code')).toEqual(['MethodNotAllowed']);
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
