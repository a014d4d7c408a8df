/**
 * The byte-level ListObjectsV2 XML (src/http/s3-list-render.ts) against the string rendering (listObjectsV2Xml of
 * the page listObjectsV2 returns): byte-identical documents for random indexes with every payload form and awkward
 * keys (XML metacharacters, control characters, '+', '%', spaces, astral characters, invalid UTF-8 written through
 * the engine), with and without encoding-type=url, following continuation tokens.
 */
import fc from 'fast-check';
import { newSession } from '../../src/engine/engine';
import { putObjectRow } from '../../src/http/json-list-render';
import { ByteSink } from '../../src/http/render-bytes';
import { putContents, renderListObjectsV2Xml } from '../../src/http/s3-list-render';
import { listObjectsV2Xml } from '../../src/http/s3-xml';
import { type ListOptions, listObjectsV2 } from '../../src/index/list';
import { encodeVersion, type ObjectVersion } from '../../src/index/payload';
import { type IndexScope, indexKeyNames } from '../../src/index/store';
import { indexWith } from '../index/harness';

const BUCKET = 'xml-bucket';

function reference(scope: IndexScope, opts: ListOptions & { maxKeys: number; encodingUrl: boolean }) {
  const r = listObjectsV2(scope, BUCKET, opts, { maxKeysCap: 1000 });
  if (!r.ok) return r;
  return {
    ok: true as const,
    value: listObjectsV2Xml({ ...r.value, delimiter: opts.delimiter || undefined, encodingUrl: opts.encodingUrl }),
  };
}

const KEY_CHARS = [
  'a',
  'b',
  '/',
  '&',
  '<',
  '>',
  '"',
  "'",
  '\u0001',
  '\t',
  '\n',
  '\r',
  '\u007f',
  ' ',
  '+',
  '%',
  'é',
  '😀',
  '\u2028',
  '~',
  '*',
];
const keyArb = fc.array(fc.constantFrom(...KEY_CHARS), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n });
const versionArb: fc.Arbitrary<Omit<ObjectVersion, 'sequencer'>> = fc.record({
  deleteMarker: fc.constant(false),
  size: fc.oneof(fc.nat(1000), fc.nat(), fc.constant(2 ** 53 - 1)),
  etag: fc.oneof(
    hex(32).map((a) => a.join('')),
    fc.tuple(hex(32), fc.integer({ min: 1, max: 10_000 })).map(([a, n]) => `${a.join('')}-${n}`),
    fc.constant('odd "etag" & <x>'),
    fc.constant(undefined),
  ),
  lastModified: fc.oneof(
    fc.integer({ min: 1_500_000_000_000, max: 1_800_000_000_000 }),
    fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  ),
  storageClass: fc.constantFrom('STANDARD', 'GLACIER_IR', 'FUTURE_<CLASS>'),
  versionId: fc.option(fc.constantFrom('v1', 'null'), { nil: undefined }),
});

describe('renderListObjectsV2Xml', () => {
  it('is byte-identical to listObjectsV2Xml of the listed page, with and without encoding-type=url', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, versionArb), { maxLength: 40 }),
        fc.record({
          prefix: fc.option(fc.constantFrom('a', 'a/', '&', '😀', '+'), { nil: undefined }),
          delimiter: fc.option(fc.constantFrom('/', '&', ' ', '😀'), { nil: undefined }),
          maxKeys: fc.integer({ min: 0, max: 12 }),
          startAfter: fc.option(keyArb, { nil: undefined }),
          encodingUrl: fc.boolean(),
        }),
        (entries, params) => {
          const { scope, index } = indexWith(BUCKET, entries);
          let token: string | undefined;
          for (let page = 0; page < 50; page++) {
            const opts = { ...params, continuationToken: token };
            const ref = reference(scope(), opts);
            const got = renderListObjectsV2Xml(index, BUCKET, opts);
            if (!ref.ok) {
              expect(got).toEqual(ref);
              return;
            }
            if (!got.ok) throw new Error('render failed');
            expect(got.value.toString('utf8')).toBe(ref.value);
            const next = /<NextContinuationToken>([^<]*)</.exec(ref.value)?.[1];
            if (next === undefined) return;
            token = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('copies the keys of leaves holding only plain keys as they are, and escapes wherever a leaf holds another', () => {
    // 3000 keys, one in 61 with a character XML escapes (or JSON escapes, or that is not ASCII): some leaves hold only
    // plain keys, copied without a look at their bytes; the others go through the escaping path
    const specials = ['&', '<', '>', '"', "'", '\u0001', 'é', '\\'];
    const versions = fc.sample(versionArb, { numRuns: 3000, seed: 5 });
    const keyOf = (i: number) =>
      `data/${(i * 7919) % 3000}/p ${i}${i % 61 === 0 ? specials[i % specials.length] : ''}.csv`;
    const { scope, index } = indexWith(
      BUCKET,
      versions.map((v, i): [string, typeof v] => [keyOf(i), v]),
    );
    for (const encodingUrl of [false, true]) {
      let token: string | undefined;
      let pages = 0;
      do {
        const opts = { prefix: 'data/', maxKeys: 1000, encodingUrl, continuationToken: token };
        const ref = reference(scope(), opts);
        const got = renderListObjectsV2Xml(index, BUCKET, opts);
        if (!ref.ok || !got.ok) throw new Error('listing failed');
        expect(got.value.toString('utf8')).toBe(ref.value);
        token = /<NextContinuationToken>([^<]*)</.exec(ref.value)?.[1];
        pages++;
      } while (token !== undefined);
      expect(pages).toBe(3);
    }
  });

  it('renders keys that are not valid UTF-8 as the string path does; errors as the library', () => {
    const { engine, scope, index } = indexWith(
      BUCKET,
      [['ok', { deleteMarker: false, size: 1, lastModified: 0, storageClass: 'STANDARD' }]],
      { withoutKeyGuard: true },
    );
    const session = newSession();
    for (const m of [Buffer.from([0x61, 0xff, 0x26]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])]) {
      engine.execute([Buffer.from('ZADD'), Buffer.from(indexKeyNames(BUCKET).keys), Buffer.from('0'), m], session);
    }
    for (const encodingUrl of [false, true]) {
      const opts = { maxKeys: 1000, encodingUrl };
      const got = renderListObjectsV2Xml(index, BUCKET, opts);
      const ref = reference(scope(), opts);
      if (!got.ok || !ref.ok) throw new Error('listing failed');
      expect(got.value.toString('utf8')).toBe(ref.value);
      expect(ref.value).toContain('<KeyCount>4</KeyCount>');
    }
    expect(renderListObjectsV2Xml(index, 'nope', { maxKeys: 1, encodingUrl: false })).toEqual(
      listObjectsV2(scope(), 'nope', {}),
    );
    const bad = { maxKeys: 1, encodingUrl: false, continuationToken: 'AA' };
    expect(renderListObjectsV2Xml(index, BUCKET, bad)).toEqual(listObjectsV2(scope(), BUCKET, bad));
  });
});

describe('rows written at the end of the output buffer', () => {
  // a 1-byte key, a 16-digit size and the longest storage class: the most room a row needs besides its key
  const v: ObjectVersion = {
    sequencer: '0000000000000000AB',
    deleteMarker: false,
    size: Number.MAX_SAFE_INTEGER,
    etag: '0123456789abcdef0123456789abcdef',
    lastModified: Date.UTC(2024, 4, 1, 12, 0, 0, 123),
    storageClass: 'INTELLIGENT_TIERING',
  };
  const buf = Buffer.concat([Buffer.from('k'), encodeVersion(v)]);

  it('are whole wherever the row starts (the room reserved covers the longest row)', () => {
    const json = `{"key":"k","size":${v.size},"etag":"${v.etag}","lastModified":"2024-05-01T12:00:00.123Z","storageClass":"INTELLIGENT_TIERING","versionId":null}`;
    const xml =
      `<Contents><Key>k</Key><LastModified>2024-05-01T12:00:00.123Z</LastModified><ETag>&quot;${v.etag}&quot;</ETag>` +
      `<Size>${v.size}</Size><StorageClass>INTELLIGENT_TIERING</StorageClass></Contents>`;
    for (let room = 0; room <= 320; room++) {
      const a = new ByteSink(1024);
      a.pos = 1024 - room;
      putObjectRow(a, buf, 0, 1, 1, buf.length);
      expect(a.buf.toString('latin1', 1024 - room, a.pos)).toBe(json);
      const b = new ByteSink(1024);
      b.pos = 1024 - room;
      putContents(b, buf, 0, 1, 1, buf.length);
      expect(b.buf.toString('latin1', 1024 - room, b.pos)).toBe(xml);
    }
  });
});
