/**
 * Payloads in a bucket's keys zset that do not decode (written by something other than store.ts, or damaged): the
 * key is listed, found and counted with UNREADABLE_VERSION's fields (size 0, no ETag, the epoch, STANDARD) instead of
 * a RangeError failing the whole page, and the next event for the key replaces the record.
 */
import { listObjectsV2 } from '../../src/index/list';
import { head, stats, version } from '../../src/index/lookup';
import {
  decodeListingFields,
  decodeVersion,
  encodeVersion,
  type ObjectVersion,
  payloadSize,
  readVersion,
  UNREADABLE_VERSION,
} from '../../src/index/payload';
import { indexKeyNames } from '../../src/index/store';
import { created, indexHarness } from './harness';

const BUCKET = 'example-bucket';
const GOOD: ObjectVersion = {
  sequencer: '0000000000000000A1',
  deleteMarker: false,
  size: 1234,
  etag: 'b1946ac92492d2347c6235b4d2611184',
  lastModified: Date.UTC(2024, 4, 1, 12),
  storageClass: 'STANDARD',
};
const good = encodeVersion(GOOD);

/** Payloads that do not decode, each named for how it breaks. */
const GARBAGE: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([0x05])],
  ['truncated in the date', good.subarray(0, good.length - 20)],
  ['etag length past the end', Buffer.from([0x03, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x7f, 0x41])],
  ['size varint past 2^53', Buffer.concat([Buffer.from([0x00, 0x00, 0x00]), Buffer.alloc(9, 0xff), Buffer.alloc(7)])],
  // 160 continuation bytes take the multiplier to Infinity, and 0 × Infinity is NaN: a NaN size, not a RangeError,
  // unless the reader checks the value
  [
    'a NaN size (text sequencer)',
    Buffer.concat([Buffer.from([0x00, 0x00, 0x00]), Buffer.alloc(160, 0x80), Buffer.alloc(7)]),
  ],
  [
    'a NaN size (common form)',
    Buffer.concat([Buffer.from([0x05, 0x00, 0x00]), Buffer.alloc(160, 0x80), Buffer.alloc(1 + 6 + 16)]),
  ],
];

describe('payload decoding of unreadable records', () => {
  it.each(GARBAGE)(
    '%s: decodeVersion throws, readVersion and the listing fields give the unreadable version',
    (_, b) => {
      expect(() => decodeVersion(b)).toThrow(RangeError);
      expect(readVersion(b)).toEqual(UNREADABLE_VERSION);
      expect(decodeListingFields(b)).toEqual({
        size: 0,
        etag: undefined,
        lastModified: 0,
        storageClass: 'STANDARD',
        versionId: undefined,
      });
      expect(payloadSize(b, 0, b.length)).toBe(0);
    },
  );

  it('reads a record inside a larger buffer only within its bounds', () => {
    // a record cut short inside a leaf-like buffer: its ETag would run into the next bytes, which are not read
    expect(decodeListingFields(good, 0, 20)).toEqual(decodeListingFields(Buffer.alloc(0)));
    expect(decodeListingFields(good, 0, good.length).size).toBe(1234);
  });

  it('readVersion hands out a fresh object each time', () => {
    const a = readVersion(Buffer.alloc(0));
    a.size = 7;
    expect(readVersion(Buffer.alloc(0)).size).toBe(0);
    expect(UNREADABLE_VERSION.size).toBe(0);
  });
});

/** A harness whose bucket lists a, c (size 10 each) and, between them, `b` with the raw payload `bad`. */
function withBadMember(bad: Buffer) {
  const h = indexHarness();
  h.index.ingest([created(BUCKET, 'a', '0A', 10), created(BUCKET, 'c', '0C', 10)]);
  const scope = h.index.scope();
  const name = indexKeyNames(BUCKET).keys;
  const z = scope.db.lookup(name, scope.now);
  if (z?.type !== 'zset') throw new Error('no keys zset');
  const member = Buffer.from('b', 'utf8');
  z.v.setWithPayload(member, 0, bad, 0);
  scope.db.modified(name, member);
  return h;
}

describe.each(GARBAGE)('an index holding an unreadable payload (%s)', (_, bad) => {
  it('lists the key with no metadata between its neighbours', () => {
    const h = withBadMember(bad);
    const page = listObjectsV2(h.index.scope(), BUCKET, {});
    if (!page.ok) throw new Error(JSON.stringify(page.error));
    expect(page.value.contents.map((o) => [o.key, o.size, o.etag, o.lastModified, o.storageClass])).toEqual([
      ['a', 10, 'b1946ac92492d2347c6235b4d2611184', Date.UTC(2024, 4, 1, 12), 'STANDARD'],
      ['b', 0, undefined, 0, 'STANDARD'],
      ['c', 10, 'b1946ac92492d2347c6235b4d2611184', Date.UTC(2024, 4, 1, 12), 'STANDARD'],
    ]);
    expect(page.value.contents[1]!.version).toEqual(UNREADABLE_VERSION);
  });

  it('head and version find it, and stats count it with 0 bytes', () => {
    const h = withBadMember(bad);
    expect(head(h.index.scope(), BUCKET, 'b')).toEqual({ ok: true, value: { key: 'b', ...UNREADABLE_VERSION } });
    expect(version(h.index.scope(), BUCKET, 'b')).toEqual({ ok: true, value: { key: 'b', ...UNREADABLE_VERSION } });
    expect(stats(h.index.scope(), BUCKET)).toEqual({ ok: true, value: { objects: 3, bytes: 20 } });
  });

  it('answers S3IDX.LIST and S3IDX.HEAD over RESP', () => {
    const h = withBadMember(bad);
    expect(h.obj('s3idx.head', BUCKET, 'b')).toEqual({
      key: 'b',
      size: 0,
      etag: null,
      'last-modified': '1970-01-01T00:00:00.000Z',
      'storage-class': 'STANDARD',
    });
    const page = h.obj('s3idx.list', BUCKET);
    expect((page.objects as unknown as Array<Array<[string, unknown]>>).map((o) => Object.fromEntries(o).key)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('is replaced by the next event for the key', () => {
    const h = withBadMember(bad);
    expect(h.index.ingest([created(BUCKET, 'b', '01', 77)])).toMatchObject({ applied: 1 });
    expect(head(h.index.scope(), BUCKET, 'b')).toMatchObject({ ok: true, value: { key: 'b', size: 77 } });
    expect(stats(h.index.scope(), BUCKET)).toEqual({ ok: true, value: { objects: 3, bytes: 97 } });
  });
});
