/**
 * Issue 17: "a listing never answers 500 for data it does not understand". A payload in a bucket's keys zset that
 * does not decode (written past store.ts, or damaged) is listed, found and counted with no metadata (size 0, no ETag,
 * the epoch, STANDARD: UNREADABLE_VERSION) on the JSON API, the NDJSON export, /s3 XML and HEAD, and one that decodes
 * to values no header can carry still gets a HEAD answer.
 */
import { encodeVersion } from '../../src/index/payload';
import { indexKeyNames } from '../../src/index/store';
import { type AppHarness, appHarness } from './harness';
import { createdEvent } from './index-fixture';

const BUCKET = 'example-bucket';
const ETAG = 'b1946ac92492d2347c6235b4d2611184';
const DATE = '2024-05-01T12:00:00.000Z';

/** a record cut short inside its date: decodeVersion throws a RangeError on it */
const TRUNCATED = encodeVersion({
  sequencer: '0000000000000000A1',
  deleteMarker: false,
  size: 1234,
  etag: ETAG,
  lastModified: Date.parse(DATE),
  storageClass: 'STANDARD',
}).subarray(0, 16);

/** objects a and c (5 bytes each) through /v1/events, then `b` written straight into the keys zset with `payload` */
async function withRawMember(payload: Buffer): Promise<AppHarness> {
  const h = appHarness();
  const res = await h.post(
    '/v1/events',
    ['a', 'c'].map((k) => createdEvent(BUCKET, k, { size: 5, etag: ETAG })),
  );
  expect(res.status).toBe(200);
  const db = h.engine.dbs[0]!;
  const name = indexKeyNames(BUCKET).keys;
  const z = db.lookup(name, h.clock.now());
  if (z?.type !== 'zset') throw new Error('no keys zset');
  const member = Buffer.from('b', 'utf8');
  z.v.setWithPayload(member, 0, payload, 0);
  db.modified(name, member);
  return h;
}

const row = (key: string, size: number, etag: string | null, lastModified: string) => ({
  key,
  size,
  etag,
  lastModified,
  storageClass: 'STANDARD',
  versionId: null,
});
const EXPECTED_ROWS = [row('a', 5, ETAG, DATE), row('b', 0, null, '1970-01-01T00:00:00.000Z'), row('c', 5, ETAG, DATE)];

describe('an undecodable payload in the index', () => {
  it('is listed with no metadata by the JSON API and the NDJSON export', async () => {
    const h = await withRawMember(TRUNCATED);
    const res = await h.request(`/v1/buckets/${BUCKET}/objects`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ keyCount: 3, isTruncated: false, objects: EXPECTED_ROWS });
    const nd = await h.request(`/v1/buckets/${BUCKET}/objects`, { headers: { accept: 'application/x-ndjson' } });
    expect(nd.status).toBe(200);
    const lines = (await nd.text()).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(EXPECTED_ROWS);
    expect(h.errors).toEqual([]);
  });

  it('is found by /v1 lookup and counted by stats with 0 bytes', async () => {
    const h = await withRawMember(TRUNCATED);
    const res = await h.request(`/v1/buckets/${BUCKET}/objects/b`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(row('b', 0, null, '1970-01-01T00:00:00.000Z'));
    expect(await (await h.request(`/v1/buckets/${BUCKET}/stats`)).json()).toEqual({ objects: 3, bytes: 10 });
    expect(h.errors).toEqual([]);
  });

  it('is listed with no metadata by /s3 ListObjectsV2 and ListObjects, plain and with encoding-type=url', async () => {
    const h = await withRawMember(TRUNCATED);
    const contents =
      '<Contents><Key>b</Key><LastModified>1970-01-01T00:00:00.000Z</LastModified><ETag>&quot;&quot;</ETag>' +
      '<Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>';
    for (const q of ['list-type=2', 'list-type=2&encoding-type=url', 'max-keys=10']) {
      const res = await h.request(`/s3/${BUCKET}?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      const xml = await res.text();
      expect(xml).toContain(contents);
      expect([...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1])).toEqual(['a', 'b', 'c']);
    }
    expect(h.errors).toEqual([]);
  });

  it('answers HEAD /s3 with the key and no metadata', async () => {
    const h = await withRawMember(TRUNCATED);
    const res = await h.request(`/s3/${BUCKET}/b`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect(res.headers.get('etag')).toBe('""');
    expect(res.headers.get('last-modified')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(res.headers.get('x-amz-storage-class')).toBeNull();
    expect(h.errors).toEqual([]);
  });
});

describe('a payload that decodes to values no HTTP header can carry', () => {
  // written past ingest's checks: a storage class with a line break, a version id and ETag outside latin1
  const odd = encodeVersion({
    sequencer: '0000000000000000A1',
    deleteMarker: false,
    size: 9,
    etag: 'e\u20ac\ntag',
    versionId: 'v\u20ac1\r\n',
    lastModified: Date.parse(DATE),
    storageClass: 'BAD\nCLASS',
  });

  it('is listed by /v1 and /s3 as it decodes', async () => {
    const h = await withRawMember(odd);
    const page = (await (await h.request(`/v1/buckets/${BUCKET}/objects?prefix=b`)).json()) as { objects: unknown[] };
    expect(page.objects).toEqual([
      {
        key: 'b',
        size: 9,
        etag: 'e\u20ac\ntag',
        lastModified: DATE,
        storageClass: 'BAD\nCLASS',
        versionId: 'v\u20ac1\r\n',
      },
    ]);
    const xml = await (await h.request(`/s3/${BUCKET}?list-type=2&prefix=b`)).text();
    expect(xml).toContain('<Key>b</Key>');
    expect(h.errors).toEqual([]);
  });

  it('gets a HEAD answer, its header values percent-encoded', async () => {
    const h = await withRawMember(odd);
    const res = await h.request(`/s3/${BUCKET}/b`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('9');
    expect(res.headers.get('etag')).toBe(`"${encodeURIComponent('e\u20ac\ntag')}"`);
    expect(res.headers.get('x-amz-storage-class')).toBe(encodeURIComponent('BAD\nCLASS'));
    expect(res.headers.get('x-amz-version-id')).toBe(encodeURIComponent('v\u20ac1\r\n'));
    expect(h.errors).toEqual([]);
  });
});
