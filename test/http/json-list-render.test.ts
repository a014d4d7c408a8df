/**
 * The byte-level JSON renderings (src/http/json-list-render.ts) against JSON.stringify of the listing the library
 * returns (listObjectsV2 / listAll): byte-identical pages and NDJSON exports for random indexes holding every
 * payload form (md5, multipart, other and missing ETags, version ids, unknown storage classes, extension blocks,
 * sizes up to 2^53, dates past year 9999) and awkward keys (quotes, backslashes, control characters, astral
 * characters, U+2028/2029, invalid UTF-8 written through the engine).
 */
import fc from 'fast-check';
import { newSession } from '../../src/engine/engine';
import { jsonListPage, ndjsonChunks, ndjsonPage, renderListPageJson } from '../../src/http/json-list-render';
import { isoTimestamp } from '../../src/http/render-bytes';
import { xmlListPage } from '../../src/http/s3-list-render';
import { type ListPage, listAll, listObjectsV2 } from '../../src/index/list';
import { encodeVersion, type ObjectVersion } from '../../src/index/payload';
import { applyIndexOp, DEFAULT_LIMITS, type IndexScope, indexKeyNames } from '../../src/index/store';
import { engineWithoutKeyGuard, indexWith } from '../index/harness';

const BUCKET = 'render-bucket';

const objectRef = (o: ListPage['contents'][number]) => ({
  key: o.key,
  size: o.size,
  etag: o.etag ?? null,
  lastModified: new Date(o.lastModified).toISOString(),
  storageClass: o.storageClass,
  versionId: o.versionId ?? null,
});

/** The reference rendering: JSON.stringify of the page the library lists. */
const pageRef = (p: ListPage): string =>
  JSON.stringify({
    bucket: p.bucket,
    prefix: p.prefix,
    delimiter: p.delimiter ?? null,
    keyCount: p.keyCount,
    isTruncated: p.isTruncated,
    nextContinuationToken: p.nextContinuationToken ?? null,
    objects: p.contents.map(objectRef),
    commonPrefixes: p.commonPrefixes,
  });

/** The reference NDJSON: every page's objects and common prefixes, merged in byte order (as the route did). */
function ndjsonRef(pages: Iterable<ListPage>): string {
  let out = '';
  for (const p of pages) {
    let i = 0;
    let j = 0;
    while (i < p.contents.length || j < p.commonPrefixes.length) {
      const o = p.contents[i];
      const cp = p.commonPrefixes[j];
      if (o !== undefined && (cp === undefined || Buffer.compare(Buffer.from(o.key), Buffer.from(cp)) < 0)) {
        out += `${JSON.stringify(objectRef(o))}\n`;
        i++;
      } else {
        out += `${JSON.stringify({ commonPrefix: cp })}\n`;
        j++;
      }
    }
  }
  return out;
}

const KEY_CHARS = [
  'a',
  'b',
  '/',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u001f',
  '\u007f',
  ' ',
  '+',
  'é',
  '😀',
  '\u2028',
  '\u2029',
  '\uFFFD',
  '€',
  '<',
];
const keyArb = fc.array(fc.constantFrom(...KEY_CHARS), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n });
const etagArb = fc.oneof(
  hex(32).map((a) => a.join('')),
  fc.tuple(hex(32), fc.integer({ min: 1, max: 10_000 })).map(([a, n]) => `${a.join('')}-${n}`),
  fc.constant('not-an-md5 "quoted" é'),
  fc.constant(undefined),
);
const versionArb: fc.Arbitrary<Omit<ObjectVersion, 'sequencer'>> = fc.record({
  deleteMarker: fc.constant(false),
  size: fc.oneof(fc.nat(1000), fc.nat(), fc.constant(2 ** 53 - 1), fc.constant(0)),
  etag: etagArb,
  lastModified: fc.oneof(
    fc.integer({ min: 1_500_000_000_000, max: 1_800_000_000_000 }),
    fc.constant(0),
    fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    fc.constant(253_402_300_799_999),
    fc.constant(253_402_300_800_000),
  ),
  storageClass: fc.constantFrom('STANDARD', 'GLACIER', 'EXPRESS_ONEZONE', 'FUTURE_CLASS'),
  versionId: fc.option(fc.constantFrom('v1', 'null', 'ä"x'), { nil: undefined }),
  metaTime: fc.option(fc.constant(1_700_000_000_000), { nil: undefined }),
});

const paramsArb = fc.record({
  prefix: fc.option(fc.constantFrom('a', 'a/', 'é', '"', '😀', 'b\\'), { nil: undefined }),
  delimiter: fc.option(fc.constantFrom('/', '"', '😀', '\u2028'), { nil: undefined }),
  maxKeys: fc.integer({ min: 0, max: 12 }),
  startAfter: fc.option(keyArb, { nil: undefined }),
});

/**
 * Pages through `prefix` with renderListPageJson and listObjectsV2 side by side, expecting each JSON page to render
 * the listed page exactly; returns the number of pages.
 */
function expectPagesAsListed(scope: () => IndexScope, prefix: string, maxKeys: number): number {
  let token: string | undefined;
  let pages = 0;
  do {
    const opts = { prefix, maxKeys, continuationToken: token };
    const ref = listObjectsV2(scope(), BUCKET, opts, { maxKeysCap: 10_000 });
    const got = renderListPageJson(scope(), BUCKET, opts);
    if (!ref.ok || !got.ok) throw new Error('listing failed');
    expect(got.value.toString('utf8')).toBe(pageRef(ref.value));
    token = ref.value.nextContinuationToken;
    pages++;
  } while (token !== undefined);
  return pages;
}

describe('renderListPageJson', () => {
  it('is byte-identical to JSON.stringify of the listed page, following continuation tokens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, versionArb), { minLength: 0, maxLength: 40 }),
        paramsArb,
        (entries, params) => {
          const { scope } = indexWith(BUCKET, entries);
          let token: string | undefined;
          for (let pageNo = 0; pageNo < 50; pageNo++) {
            const opts = { ...params, continuationToken: token };
            const ref = listObjectsV2(scope(), BUCKET, opts, { maxKeysCap: 10_000 });
            const got = renderListPageJson(scope(), BUCKET, opts);
            if (!ref.ok) {
              expect(got).toEqual(ref);
              return;
            }
            expect(got.ok).toBe(true);
            if (!got.ok) return;
            expect(got.value.toString('utf8')).toBe(pageRef(ref.value));
            if (!ref.value.isTruncated) return;
            token = ref.value.nextContinuationToken;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('renders 1000-row pages of typical objects exactly', () => {
    const rnd = fc.sample(fc.tuple(keyArb, versionArb), { numRuns: 3000, seed: 7 });
    const entries = rnd.map(([k, v], i): [string, typeof v] => [`logs/${i % 7}/${k}`, v]);
    const { scope } = indexWith(BUCKET, entries);
    expect(expectPagesAsListed(scope, 'logs/', 1000)).toBeGreaterThan(2);
  });

  it('copies the keys of leaves holding only plain keys as they are, and escapes wherever a leaf holds another', () => {
    // 3000 keys, one in 61 with a character JSON escapes or checks (or XML escapes): some leaves of the index hold
    // only plain keys, which are copied without a look at their bytes, the others go through the escaping path
    const specials = ['"', '\\', '\n', 'é', '&', '<', "'", '\u007f', '😀'];
    const versions = fc.sample(versionArb, { numRuns: 3000, seed: 11 });
    const keyOf = (i: number, round: number) =>
      `data/${(i * 7919) % 3000}/part-${i}${(i + round) % 61 === 0 ? specials[i % specials.length] : ''}.json`;
    const entries = versions.map((v, i): [string, typeof v] => [keyOf(i, 0), v]);
    const { scope } = indexWith(BUCKET, entries);
    const compareAll = () => {
      const pages = expectPagesAsListed(scope, 'data/', 700);
      expect(Buffer.concat([...ndjsonChunks(scope, BUCKET, { prefix: 'data/' }, 500)]).toString('utf8')).toBe(
        ndjsonRef(listAll(scope, BUCKET, { prefix: 'data/' }, 10_000)),
      );
      return pages;
    };
    expect(compareAll()).toBe(5);
    // the keys with special characters deleted (their leaves become plain), then others added elsewhere
    let seq = 0x100000;
    const sequencer = () => (seq++).toString(16).toUpperCase().padStart(18, '0');
    for (let i = 0; i < 3000; i += 61)
      applyIndexOp(scope(), { op: 'remove', bucket: BUCKET, key: keyOf(i, 0), sequencer: sequencer() }, DEFAULT_LIMITS);
    compareAll();
    for (let i = 0; i < 3000; i++) {
      if ((i + 30) % 61 !== 0) continue;
      const version = { ...versions[i]!, sequencer: sequencer() };
      applyIndexOp(scope(), { op: 'put', bucket: BUCKET, key: keyOf(i, 30), version }, DEFAULT_LIMITS);
    }
    compareAll();
  });

  it('renders keys that are not valid UTF-8 (raw engine writes) as Buffer#toString does', () => {
    const session = newSession();
    const eng = engineWithoutKeyGuard();
    // the same bucket in a fresh engine, plus members written with ZADD (no payload, arbitrary bytes)
    const s = (): IndexScope => ({ db: eng.dbs[0]!, now: 0 });
    applyIndexOp(
      s(),
      {
        op: 'put',
        bucket: BUCKET,
        key: 'ok',
        version: { sequencer: '01', deleteMarker: false, size: 1, lastModified: 0, storageClass: 'STANDARD' },
      },
      DEFAULT_LIMITS,
    );
    const raw = [
      Buffer.from([0x61, 0xff, 0x62]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xc0, 0x80, 0x22]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0x0a]),
    ];
    for (const m of raw)
      eng.execute([Buffer.from('ZADD'), Buffer.from(indexKeyNames(BUCKET).keys), Buffer.from('0'), m], session);
    const ref = listObjectsV2(s(), BUCKET, { maxKeys: 100 });
    const got = renderListPageJson(s(), BUCKET, { maxKeys: 100 });
    if (!ref.ok || !got.ok) throw new Error('listing failed');
    expect(ref.value.keyCount).toBe(6);
    expect(got.value.toString('utf8')).toBe(pageRef(ref.value));
    const chunks = Buffer.concat([...ndjsonChunks(s, BUCKET, {}, 2)]).toString('utf8');
    expect(chunks).toBe(ndjsonRef(listAll(s, BUCKET, {}, 2)));
  });

  it('fits the longest head: a 1024-byte multi-byte prefix and delimiter and a token for a 1024-byte key', () => {
    const prefix = `${'€'.repeat(300)}"\\`.padEnd(302, 'x');
    const keys = ['a', 'b', 'c'].map((c) => `${prefix}${c.repeat(1024 - Buffer.byteLength(prefix))}`);
    const { scope } = indexWith(
      BUCKET,
      keys.map((k): [string, Omit<ObjectVersion, 'sequencer'>] => [
        k,
        { deleteMarker: false, size: 1, lastModified: 0, storageClass: 'STANDARD' },
      ]),
    );
    const delimiter = `\u0001${'😀'.repeat(255)}`;
    let token: string | undefined;
    for (let i = 0; i < 3; i++) {
      const opts = { prefix, delimiter, maxKeys: 1, continuationToken: token };
      const ref = listObjectsV2(scope(), BUCKET, opts);
      const got = renderListPageJson(scope(), BUCKET, opts);
      if (!ref.ok || !got.ok) throw new Error('listing failed');
      expect(got.value.toString('utf8')).toBe(pageRef(ref.value));
      token = ref.value.nextContinuationToken;
    }
    expect(token).toBeUndefined();
  });

  it('answers the library errors: unknown bucket, bad token', () => {
    const { scope } = indexWith(BUCKET, [
      ['k', { deleteMarker: false, size: 1, lastModified: 0, storageClass: 'STANDARD' }],
    ]);
    expect(renderListPageJson(scope(), 'nope', { maxKeys: 10 })).toEqual(listObjectsV2(scope(), 'nope', {}));
    const bad = { maxKeys: 10, continuationToken: '!!' };
    expect(renderListPageJson(scope(), BUCKET, bad)).toEqual(listObjectsV2(scope(), BUCKET, bad));
  });
});

describe('ndjsonChunks', () => {
  it('is byte-identical to the paged reference, with and without a delimiter, across chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, versionArb), { minLength: 0, maxLength: 40 }),
        paramsArb,
        fc.integer({ min: 1, max: 7 }),
        (entries, params, pageSize) => {
          const { scope } = indexWith(BUCKET, entries);
          const opts = { prefix: params.prefix, delimiter: params.delimiter, startAfter: params.startAfter };
          const got = Buffer.concat([...ndjsonChunks(scope, BUCKET, opts, pageSize)]).toString('utf8');
          expect(got).toBe(ndjsonRef(listAll(scope, BUCKET, opts, 10_000)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isoTimestamp', () => {
  it('matches Date#toISOString, including outside years 1970-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    for (const ms of [0, 951_782_400_000, 4_107_542_400_000, 253_402_300_799_999, 253_402_300_800_000, -1]) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('page writers interleaved', () => {
  /** A listing row as listRaw hands it over: key bytes then the encoded version, in one buffer. */
  const rowOf = (key: string, v: ObjectVersion) => {
    const k = Buffer.from(key, 'utf8');
    return { buf: Buffer.concat([k, encodeVersion(v)]), ke: k.length };
  };
  const version = (lastModified: number, versionId?: string): ObjectVersion => ({
    sequencer: '00AB',
    deleteMarker: false,
    size: 42,
    etag: '0123456789abcdef0123456789abcdef',
    lastModified,
    storageClass: 'STANDARD',
    versionId,
  });
  const raw = { keys: [], prefixes: [], truncated: false };

  it('each keeps its own date cache: two pages on different days, written row by row in turn, are exact', () => {
    // page A on days of 2024, page B on days of 1999; every row changes day, and the odd rows take the string path
    // (a version id), so both the byte writer and the text of each page's dates alternate between the two pages
    const dayA = Date.UTC(2024, 1, 29, 23, 59, 59, 999);
    const dayB = Date.UTC(1999, 11, 31, 0, 0, 0, 1);
    const writers = {
      jsonA: jsonListPage('a', { maxKeys: 10 }),
      jsonB: jsonListPage('b', { maxKeys: 10 }),
      xmlA: xmlListPage('a', { maxKeys: 10, encodingUrl: false }),
      xmlB: xmlListPage('b', { maxKeys: 10, encodingUrl: false }),
      ndA: ndjsonPage(false, 10),
      ndB: ndjsonPage(false, 10),
    };
    const dates = { A: [] as number[], B: [] as number[] };
    for (let i = 0; i < 6; i++) {
      for (const side of ['A', 'B'] as const) {
        const ms = (side === 'A' ? dayA : dayB) + i * 86_400_000 * (side === 'A' ? 1 : -1);
        dates[side].push(ms);
        const { buf, ke } = rowOf(`k${i}`, version(ms, i % 2 ? 'v' : undefined));
        for (const kind of ['json', 'xml', 'nd'] as const) {
          writers[`${kind}${side}`].row(buf, 0, ke, ke, buf.length, undefined, i % 3 === 0);
        }
      }
    }
    for (const side of ['A', 'B'] as const) {
      const objects = dates[side].map((ms, i) => ({
        key: `k${i}`,
        size: 42,
        etag: '0123456789abcdef0123456789abcdef',
        lastModified: new Date(ms).toISOString(),
        storageClass: 'STANDARD',
        versionId: i % 2 ? 'v' : null,
      }));
      const json = writers[`json${side}`].finish(raw).toString('utf8');
      expect(JSON.parse(json).objects).toEqual(objects);
      const nd = writers[`nd${side}`].finish(raw).toString('utf8');
      expect(nd).toBe(objects.map((o) => `${JSON.stringify(o)}\n`).join(''));
      const xml = writers[`xml${side}`].finish(raw).toString('utf8');
      expect([...xml.matchAll(/<LastModified>([^<]*)</g)].map((m) => m[1])).toEqual(objects.map((o) => o.lastModified));
    }
  });
});
