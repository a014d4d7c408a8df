/**
 * The backfill crawler against s3rver holding ~20,300 objects with awkward keys (spaces, '+', '%', accents, CJK, an
 * emoji, deep folders, a flat folder of 3,000 keys, keys sorting around '/'). The objects are written straight into
 * s3rver's directory layout (object file + its md5; metadata.json is optional), ~1 s instead of ~30 s of PUTs, and
 * the expected listing is what was written, never s3rver's own listing (its paged listings can skip keys; see below).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3Client as S3 } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import {
  type CrawledObject,
  type CrawlOptions,
  type CrawlRange,
  crawl,
  defaultStrategy,
  isRetryable,
} from '../../src/backfill/crawl';
import { compareKeys, decodeUrlKey, midpoint, prefixEnd } from '../../src/backfill/keyspace';
import { systemClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { type HttpServerHandle, startHttpServer } from '../../src/http/node-server';
import { createEngine } from '../../src/service/create-engine';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3, writeS3rverObject } from '../helpers/s3rver';

const BUCKET = 'crawl';
let s3: TestS3;

interface Put {
  key: string;
  size: number;
  etag: string;
}
const put: Put[] = [];

function keys(): string[] {
  const out: string[] = [];
  // the flat folder: fixed-width numbers first, so no name is another's prefix (s3rver's file order = key order)
  const tails = ['.dat', ' copy.dat', '+plus.dat', ' 100%.dat', ' café.dat', ' 日本語.txt'];
  for (let i = 0; i < 3000; i++) out.push(`flat/${String(i).padStart(5, '0')}${tails[i % tails.length]}`);
  // deep folders
  const l1 = ['α', 'b+c', 'd e', 'f%20g', '日本', 'zz'];
  const l2 = ['2023', '2024', 'été', 'x y'];
  const l3 = ['01', '02', 'naïve', '中文'];
  for (const a of l1)
    for (const b of l2)
      for (const c of l3)
        for (let i = 0; i < 160; i++) out.push(`deep/${a}/${b}/${c}/IMG ${String(i).padStart(4, '0')}.jpg`);
  // deeper still, and a few levels of one-key folders
  for (let i = 0; i < 300; i++) out.push(`deep/zz/more/levels/down/here/k${String(i).padStart(3, '0')}`);
  // keys sorting around '/' at the top, and folders whose names are prefixes of each other
  out.push('a', 'a-', 'a.b', 'a0', 'A', 'a-/x', 'a/b', 'a/c/d', 'a b', 'a+b', 'a%2Fb');
  for (const top of ['with space', 'with', 'with+plus', '100%', 'ünïcödé', '日本', 'emoji 😀']) {
    for (let i = 0; i < 200; i++) out.push(`${top}/${String(i).padStart(3, '0')} ${top}`);
  }
  // s3rver reports a CommonPrefix only for a folder holding an object directly (it walks one directory level below
  // the prefix): a folder of folders alone is missing from its delimiter listings. Every folder gets an object.
  const folders = new Set<string>();
  for (const k of out) {
    const parts = k.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  const have = new Set(out);
  for (const f of folders) if (!have.has(`${f}index.html`)) out.push(`${f}index.html`);
  return out;
}

/**
 * s3rver makes a NextContinuationToken for every truncated page with DES, which OpenSSL 3 only has with
 * --openssl-legacy-provider (not set in jest's workers): without it every truncated listing is a 500 InternalError.
 * The crawler never sends continuation tokens (StartAfter only), so in this process 'des' becomes an identity
 * "cipher" for s3rver's token: the token is still made, never used.
 */
const realCreateCipheriv = crypto.createCipheriv;
beforeAll(() => {
  (crypto as { createCipheriv: unknown }).createCipheriv = (alg: string, key: never, iv: never, o?: never) => {
    if (alg !== 'des') return realCreateCipheriv(alg, key, iv, o);
    return { update: (s: string, enc?: BufferEncoding) => Buffer.from(s, enc), final: () => Buffer.alloc(0) };
  };
});
afterAll(() => {
  (crypto as { createCipheriv: unknown }).createCipheriv = realCreateCipheriv;
});

beforeAll(async () => {
  s3 = await startS3rver([BUCKET], 'crawl');
  const root = path.join(s3.directory, BUCKET);
  const made = new Set<string>();
  for (const key of keys()) {
    const body = Buffer.from(`${key}\n${'x'.repeat(key.length % 17)}`);
    const md5 = writeS3rverObject(root, key, body, made);
    put.push({ key, size: body.length, etag: md5 });
  }
  put.sort((x, y) => compareKeys(x.key, y.key));
}, 60_000);

afterAll(async () => {
  await s3?.close();
});

async function collect(
  opts: Partial<CrawlOptions> & { client?: CrawlOptions['client'] } = {},
): Promise<{ rows: CrawledObject[]; result: Awaited<ReturnType<typeof crawl>> }> {
  const rows: CrawledObject[] = [];
  const result = await crawl({
    client: s3.client,
    bucket: BUCKET,
    onPage: (page) => {
      rows.push(...page);
    },
    ...opts,
  });
  return { rows, result };
}

/** exactly the set put: no key twice, none missing, sizes and etags */
function expectExact(rows: CrawledObject[], expected: Put[]) {
  const got = rows.map((r) => ({ key: r.key, size: r.size, etag: r.etag })).sort((x, y) => compareKeys(x.key, y.key));
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const r of got) {
    if (seen.has(r.key)) dups.push(r.key);
    seen.add(r.key);
  }
  expect(dups).toEqual([]);
  const want = new Set(expected.map((p) => p.key));
  expect(got.filter((r) => !want.has(r.key)).map((r) => r.key)).toEqual([]);
  expect(expected.filter((p) => !seen.has(p.key)).map((p) => p.key)).toEqual([]);
  expect(got).toEqual(expected);
}

test('the keys put: ≥ 20,000', () => {
  expect(put.length).toBeGreaterThanOrEqual(20_000);
});

test.each([1, 8, 32])(
  'concurrency %i: exactly the bucket',
  async (concurrency) => {
    const { rows, result } = await collect({ concurrency });
    expectExact(rows, put);
    expect(result.objects).toBe(put.length);
    expect(result.retries).toBe(0);
    for (const r of rows) {
      expect(r.storageClass).toBe('STANDARD');
      expect(r.lastModified).toBeGreaterThan(Date.parse('2020-01-01'));
    }
  },
  60_000,
);

test('small pages, folders listed without a delimiter past depth 1, many range cuts: exactly the bucket', async () => {
  const { rows, result } = await collect({ concurrency: 16, pageSize: 150, maxDepth: 2 });
  expectExact(rows, put);
  expect(result.pages).toBeGreaterThan(put.length / 150);
}, 120_000);

test.each(['flat/', 'deep/d e/', 'deep/', 'a', 'with', '日本/', 'nothing-here/'])(
  'prefix %j',
  async (prefix) => {
    const { rows } = await collect({ prefix, concurrency: 8, pageSize: 200 });
    expectExact(
      rows,
      put.filter((p) => p.key.startsWith(prefix)),
    );
  },
  120_000,
);

function slowDown(): Error {
  return Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $metadata: { httpStatusCode: 503 },
  });
}
function internal(): Error {
  return Object.assign(new Error('We encountered an internal error. Please try again.'), {
    name: 'InternalError',
    $metadata: { httpStatusCode: 500 },
  });
}

test('fault injection: SlowDown, 500s and connection resets on some pages are retried; still exact', async () => {
  let calls = 0;
  let injected = 0;
  const client = {
    send: (cmd: unknown, o?: unknown) => {
      calls++;
      if (calls % 4 === 0 || (calls > 10 && calls < 14)) {
        injected++;
        const kind = injected % 3;
        return Promise.reject(
          kind === 0
            ? slowDown()
            : kind === 1
              ? internal()
              : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
        );
      }
      return s3.client.send(cmd as never, o as never);
    },
  } as unknown as S3Client;
  // (a wrapped client has no endpoint of its own to go by: the strategy s3rver needs is named)
  const { rows, result } = await collect({
    client,
    strategy: 'folders',
    concurrency: 8,
    pageSize: 500,
    retryBaseMs: 1,
    retryMaxMs: 10,
  });
  expectExact(rows, put);
  expect(injected).toBeGreaterThan(5);
  expect(result.retries).toBe(injected);
}, 120_000);

test('a page failing more than maxRetries times, or with a non-retryable error, fails the crawl', async () => {
  const always = { send: () => Promise.reject(slowDown()) } as unknown as S3Client;
  await expect(collect({ client: always, maxRetries: 3, retryBaseMs: 1 })).rejects.toMatchObject({ name: 'SlowDown' });
  let n = 0;
  const denied = {
    send: (cmd: unknown) => {
      if (++n === 3) {
        return Promise.reject(
          Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
        );
      }
      return s3.client.send(cmd as never);
    },
  } as unknown as S3Client;
  await expect(collect({ client: denied, strategy: 'folders', concurrency: 4, pageSize: 300 })).rejects.toMatchObject({
    name: 'AccessDenied',
  });
  expect(isRetryable(slowDown())).toBe(true);
  expect(isRetryable(Object.assign(new Error('x'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }))).toBe(
    false,
  );
});

test('an abort signal stops the crawl: it rejects, and no page is delivered after the abort', async () => {
  const ac = new AbortController();
  let pagesAfterAbort = 0;
  let objects = 0;
  const run = crawl({
    client: s3.client,
    bucket: BUCKET,
    concurrency: 8,
    pageSize: 200,
    signal: ac.signal,
    onPage: (rows) => {
      if (ac.signal.aborted) pagesAfterAbort++;
      objects += rows.length;
      if (objects >= 1000) ac.abort();
    },
  });
  await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  expect(pagesAfterAbort).toBe(0);
  expect(objects).toBeLessThan(put.length);
  // aborted before it starts
  await expect(collect({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
});

/**
 * Crawls in runs, each stopped once it has seen `every` objects and resumed by the next from what it left (passed
 * through JSON, as a Lambda's checkpoint is), until one finishes; every row of every run, and the number of runs.
 */
async function crawlInRuns(
  opts: Omit<CrawlOptions, 'onPage' | 'stop' | 'resume' | 'bucket'>,
  every: number,
): Promise<{ rows: CrawledObject[]; runs: number }> {
  const rows: CrawledObject[] = [];
  let resume: CrawlRange[] | undefined;
  let runs = 0;
  for (;;) {
    runs++;
    const stop = new AbortController();
    let seen = 0;
    const result = await crawl({
      ...opts,
      bucket: BUCKET,
      resume,
      stop: stop.signal,
      onPage: (page) => {
        rows.push(...page);
        seen += page.length;
        if (seen >= every) stop.abort();
      },
    });
    resume = JSON.parse(JSON.stringify(result.remaining)) as CrawlRange[];
    if (resume.length === 0) return { rows, runs };
    expect(runs).toBeLessThan(200);
  }
}

test.each([
  [8, 200, 2500],
  [3, 1000, 4000],
  [16, 150, 700],
])(
  'stop and resume (concurrency %i, pages of %i, stops every %i objects): every object once across the runs',
  async (concurrency, pageSize, every) => {
    const { rows, runs } = await crawlInRuns({ client: s3.client, concurrency, pageSize }, every);
    // several stops (a run stops after its pages in flight are delivered, so past `every`)
    expect(runs).toBeGreaterThanOrEqual(3);
    expectExact(rows, put);
  },
  120_000,
);

test('stop and resume under a prefix, from a stop before the first page', async () => {
  const prefix = 'deep/';
  const stop = new AbortController();
  stop.abort();
  const first = await crawl({ client: s3.client, bucket: BUCKET, prefix, stop: stop.signal, onPage: () => undefined });
  expect(first.objects).toBe(0);
  expect(first.remaining).toEqual([{ prefix, depth: 0 }]);
  const { rows, result } = await collect({ resume: first.remaining, concurrency: 4, pageSize: 300 });
  expect(result.remaining).toEqual([]);
  expectExact(
    rows,
    put.filter((p) => p.key.startsWith(prefix)),
  );
}, 120_000);

test('the default strategy: ranges on AWS S3, folders on an S3-compatible server', () => {
  expect(defaultStrategy(s3.client, {})).toBe('folders');
  const aws = new S3({ region: 'us-east-1' });
  expect(defaultStrategy(aws, {})).toBe('ranges');
  expect(defaultStrategy(aws, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' })).toBe('folders');
  expect(defaultStrategy({ send: s3.client.send } as never, {})).toBe('ranges');
  aws.destroy();
});

/**
 * 'ranges' pages flat across folders, which is exact only where pages come in S3's byte order: s3rver's do not (see
 * defaultStrategy), so it runs here against an S3-exact ListObjectsV2, s3-index's own /s3 route, holding the same
 * keys (indexed with S3IDX.BACKFILL).
 */
describe("'ranges' against an S3-exact server (s3-index's /s3 route, same keys)", () => {
  let http: HttpServerHandle;
  let exact: S3;
  let requests = 0;
  let propApp: ReturnType<typeof createApp> | undefined;
  let propRuns = 0;

  beforeAll(async () => {
    const engine = createEngine({ clock: systemClock });
    const app = createApp({ engine, clock: systemClock, config: httpConfig({}), reportError: () => {} });
    propApp = app;
    for (let i = 0; i < put.length; i += 1000) {
      const argv = ['S3IDX.BACKFILL', BUCKET, String(Date.now())];
      for (const p of put.slice(i, i + 1000)) argv.push(p.key, String(p.size), p.etag, '1700000000000', 'STANDARD');
      const res = await app.fetch(
        new Request('http://localhost/redis', { method: 'POST', body: JSON.stringify(argv) }),
      );
      expect(res.status).toBe(200);
    }
    http = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    exact = new S3({
      endpoint: `http://127.0.0.1:${http.port}/s3`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    exact.middlewareStack.add(
      (next) => async (args) => {
        requests++;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }, 60_000);

  afterAll(async () => {
    exact?.destroy();
    await http?.close();
  });

  test.each([1, 8, 32])(
    'concurrency %i: exactly the bucket, about one request per page',
    async (concurrency) => {
      requests = 0;
      const { rows, result } = await collect({ client: exact, strategy: 'ranges', concurrency });
      expectExact(rows, put);
      const pages = Math.ceil(put.length / 1000);
      expect(result.requests).toBe(requests);
      // concurrency 1 is the sequential loop; more workers add a probe and a partial last page per cut
      if (concurrency === 1) expect(requests).toBe(pages);
      else expect(requests).toBeLessThan(pages + 12 * concurrency);
    },
    60_000,
  );

  test('small pages, many cuts; and under prefixes', async () => {
    const { rows, result } = await collect({ client: exact, strategy: 'ranges', concurrency: 16, pageSize: 150 });
    expectExact(rows, put);
    expect(result.pages).toBeGreaterThan(put.length / 150);
    for (const prefix of ['flat/', 'deep/d e/', 'a', 'with', '日本/', 'nothing-here/']) {
      const r = await collect({ client: exact, strategy: 'ranges', prefix, concurrency: 8, pageSize: 200 });
      expectExact(
        r.rows,
        put.filter((p) => p.key.startsWith(prefix)),
      );
    }
  }, 60_000);

  test('random key sets (folders of every depth, names sorting around the delimiter), random pages and workers: exact', async () => {
    const alphabet = ['a', 'b', '/', '/', ' ', '-', '.', '+', '0', 'é', '日', '\u{1F600}', '\uE000', '//'];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 7 }).map((xs) => xs.join('')),
          { minLength: 0, maxLength: 400 },
        ),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('', 'a', 'a/', 'b/'),
        async (names, concurrency, pageSize, prefix) => {
          const bucket = `prop-${++propRuns}`;
          if (names.length > 0) {
            const argv = ['S3IDX.BACKFILL', bucket, String(Date.now())];
            for (const k of names) argv.push(k, '1', 'e', '1700000000000', 'STANDARD');
            const res = await propApp!.fetch(
              new Request('http://localhost/redis', { method: 'POST', body: JSON.stringify(argv) }),
            );
            expect(res.status).toBe(200);
          }
          const got: string[] = [];
          await crawl({
            client: exact,
            bucket: names.length > 0 ? bucket : BUCKET,
            prefix: names.length > 0 ? prefix : 'nothing-here/',
            strategy: 'ranges',
            concurrency,
            pageSize,
            onPage: (page) => {
              for (const r of page) got.push(r.key);
            },
          });
          const want = names.filter((k) => k.startsWith(prefix)).sort(compareKeys);
          expect(got.sort(compareKeys)).toEqual(names.length > 0 ? want : []);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  test('faults retried, and stop and resume: still every object once', async () => {
    let calls = 0;
    const flaky = {
      send: (cmd: unknown, o?: unknown) =>
        ++calls % 5 === 0 ? Promise.reject(slowDown()) : exact.send(cmd as never, o as never),
    } as unknown as S3Client;
    const opts = { client: flaky, strategy: 'ranges' as const, concurrency: 8, pageSize: 250 };
    const { rows, runs } = await crawlInRuns({ ...opts, retryBaseMs: 1, retryMaxMs: 5 }, 1500);
    expect(runs).toBeGreaterThanOrEqual(3);
    expectExact(rows, put);
  }, 60_000);
});

describe('key space', () => {
  test('midpoint lies strictly between its bounds in byte order', () => {
    const str = fc.string({ unit: 'binary', maxLength: 6 });
    fc.assert(
      fc.property(str, fc.option(str, { nil: undefined }), (lo, hi) => {
        if (hi !== undefined && compareKeys(lo, hi) >= 0) return;
        const m = midpoint(lo, hi);
        if (m === undefined) return;
        expect(compareKeys(lo, m)).toBeLessThan(0);
        if (hi !== undefined) expect(compareKeys(m, hi)).toBeLessThan(0);
        expect(Buffer.from(m, 'utf8').toString('utf8')).toBe(m); // no lone surrogates
      }),
      { numRuns: 2000 },
    );
    expect(midpoint('a', 'c')).toBe('b');
    expect(midpoint('a', 'b')).toBeDefined();
    expect(midpoint('a', 'a\0')).toBeUndefined();
  });

  test('prefixEnd is above every string with the prefix', () => {
    expect(prefixEnd('a/')).toBe('a0');
    expect(compareKeys('a/\u{10ffff}zzz', prefixEnd('a/')!)).toBeLessThan(0);
  });

  test("decodeUrlKey: S3's encoding-type=url", () => {
    expect(decodeUrlKey('a+b%2Bc%20d%25%E6%97%A5')).toBe('a b+c d%日');
  });
});
