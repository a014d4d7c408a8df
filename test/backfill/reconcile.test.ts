/**
 * Reconcile (src/backfill/reconcile.ts, src/cli/reconcile.ts) against s3rver (a real S3 HTTP server) and the real
 * HTTP app on a real engine: every index command goes through POST /redis. A bucket of a few thousand awkward keys
 * is indexed, drift is injected through events (deletions, extra objects, newer sizes then an overwrite, keys left
 * to verify), and reconcile must report exactly that drift, write nothing without --repair, and repair it.
 */
import crypto from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { reconcile } from '../../src/backfill/reconcile';
import { runReconcile } from '../../src/cli/reconcile';
import { systemClock } from '../../src/engine/clock';
import { createApp, type HttpApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { createEngine } from '../../src/service/create-engine';
import { startS3rver, type TestS3 } from '../helpers/s3rver';
import { ebEvent } from '../index/harness';

const BUCKET = 'rec';
let s3: TestS3;
let app: HttpApp;
const sent: string[][] = [];

async function redis(argv: string[]): Promise<unknown> {
  sent.push(argv);
  const res = await app.fetch(
    new Request('http://localhost/redis', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(argv),
    }),
  );
  const body = (await res.json()) as { result?: unknown; error?: string };
  if (res.status !== 200 || body.error !== undefined) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.result;
}

async function postEvent(e: unknown): Promise<Record<string, number>> {
  const res = await app.fetch(new Request('http://localhost/v1/events', { method: 'POST', body: JSON.stringify(e) }));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

// awkward keys: spaces, '+', accents, CJK, astral characters against U+E000..U+FFFF (UTF-16 order differs from
// S3's), folders of several depths
// (every folder holds an object of its own: s3rver leaves a folder that holds only folders out of a delimiter
// listing, real S3 does not; test/backfill/crawl.test.ts)
const FOLDER_OBJECTS = [
  'photos/',
  'photos/2024/',
  'logs/',
  'logs/app/',
  'データ/',
  'deep/',
  'deep/a/',
  'deep/a/b/',
  'deep/a/b/c/',
  'deep/a/b/c/d/',
].map((f) => `${f}index.html`);
const GENERATED = Array.from({ length: 2400 }, (_, i) => {
  switch (i % 8) {
    case 0:
      return `photos/2024/IMG ${String(i).padStart(5, '0')}.jpg`;
    case 1:
      return `logs/app/${i}+run.log`;
    case 2:
      return `Résumé ${i}.pdf`;
    case 3:
      return `データ/レポート-${i}.csv`;
    case 4:
      return `z\u{1D11E}-${i}`;
    case 5:
      return `z\uE000-${i}`;
    case 6:
      return `deep/a/b/c/d/${i}/f.txt`;
    default:
      return `flat-${i}!'()*.txt`;
  }
});
const DEEP_FOLDERS = Array.from({ length: 300 }, (_, i) => `deep/a/b/c/d/${8 * i + 6}/index.html`);
const KEYS = [...GENERATED, ...FOLDER_OBJECTS, ...DEEP_FOLDERS];

const byteOrder = (xs: string[]) => xs.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEQ = (n: number) => n.toString(16).toUpperCase().padStart(18, '0');
const ETAG = 'b1946ac92492d2347c6235b4d2611184';

async function putAll(client: S3Client, keys: string[], body: (k: string) => Buffer): Promise<void> {
  for (let i = 0; i < keys.length; i += 32)
    await Promise.all(
      keys.slice(i, i + 32).map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body(Key) }))),
    );
}

async function indexKeys(): Promise<string[]> {
  const keys: string[] = [];
  let after: string | undefined;
  for (;;) {
    const argv = ['S3IDX.LIST', BUCKET, 'MAXKEYS', '1000'];
    if (after !== undefined) argv.push('STARTAFTER', after);
    const page = (await redis(argv)) as unknown[];
    const m = Object.fromEntries(Array.from({ length: page.length / 2 }, (_, i) => [page[2 * i], page[2 * i + 1]]));
    const objs = (m.objects as unknown[][]).map((o) => String(o[1]));
    keys.push(...objs);
    if (m.truncated !== 1) return keys;
    after = objs.at(-1);
  }
}

/** Everything the index holds for the bucket, as far as the commands tell. */
async function indexState(): Promise<unknown> {
  const all: unknown[] = [];
  let after: string | undefined;
  for (;;) {
    const argv = ['S3IDX.LIST', BUCKET, 'MAXKEYS', '1000'];
    if (after !== undefined) argv.push('STARTAFTER', after);
    const page = (await redis(argv)) as unknown[];
    all.push(page);
    const objs = page[1] as unknown[][];
    if (page[7] !== 1) break;
    after = String(objs.at(-1)![1]);
  }
  return {
    all,
    unverified: ((await redis(['S3IDX.UNVERIFIED', BUCKET])) as string[]).sort(),
    tombs: await redis(['HLEN', `s3idx:{${BUCKET}}:tomb`]),
    hist: await redis(['HLEN', `s3idx:{${BUCKET}}:hist`]),
  };
}

/**
 * s3rver makes a NextContinuationToken for every truncated page with DES, which OpenSSL 3 only has with
 * --openssl-legacy-provider: as in crawl.test.ts, 'des' becomes an identity "cipher" here (the crawler and reconcile
 * never send continuation tokens).
 */
const realCreateCipheriv = crypto.createCipheriv;

beforeAll(async () => {
  (crypto as { createCipheriv: unknown }).createCipheriv = (alg: string, key: never, iv: never, o?: never) => {
    if (alg !== 'des') return realCreateCipheriv(alg, key, iv, o);
    return { update: (s: string, enc?: BufferEncoding) => Buffer.from(s, enc), final: () => Buffer.alloc(0) };
  };
  s3 = await startS3rver([BUCKET], 'reconcile');
  await putAll(s3.client, KEYS, (k) => Buffer.alloc(k.length % 11, 'x'));
  const engine = createEngine({ clock: systemClock });
  app = createApp({ engine, clock: systemClock, config: httpConfig({}), reportError: () => {} });
}, 180_000);

afterAll(async () => {
  (crypto as { createCipheriv: unknown }).createCipheriv = realCreateCipheriv;
  await s3?.close();
});

const removed = [KEYS[8]!, KEYS[3]!, KEYS[12]!, KEYS[2301]!, KEYS[100]!];
const extra = ['extra/only-in-index.txt', `z\u{1D11E}-extra`, 'Résumé extra.pdf', 'photos/2024/IMG 99999.jpg'];
const changed = [KEYS[5]!, KEYS[1001]!, KEYS[2222]!];
const unverifiedPresent = [KEYS[7]!, KEYS[2000]!];
const unverifiedAbsent = 'gone/versioned.txt';

test('reconcile finds exactly the injected drift, writes nothing without repair, and repairs it', async () => {
  // an empty index: every object is missing; --repair indexes the bucket. (Objects written less than a second
  // before the listing began are a race, not drift: they are skipped, hence the wait.)
  await sleep(1100);
  const first = await reconcile({ s3: s3.client, bucket: BUCKET, redis, repair: true, concurrency: 6 });
  expect(first.checked).toEqual({ bucket: KEYS.length, index: 0 });
  expect(first.missing.map((r) => r.key)).toEqual(byteOrder(KEYS));
  expect(first.repaired).toMatchObject({ applied: KEYS.length });
  expect(await indexKeys()).toEqual(byteOrder(KEYS));
  const clean = await reconcile({ s3: s3.client, bucket: BUCKET, redis, repair: false });
  expect([clean.missing, clean.extra, clean.stale, clean.unverified]).toEqual([[], [], [], 0]);

  // drift, by events
  await sleep(1100);
  const now = () => new Date().toISOString();
  let seq = 0x1000;
  for (const key of removed)
    expect(
      await postEvent(
        ebEvent(
          'Object Deleted',
          BUCKET,
          { key, sequencer: SEQ(seq++) },
          { 'deletion-type': 'Permanently Deleted' },
          now(),
        ),
      ),
    ).toMatchObject({ applied: 1 });
  const past = new Date(Date.now() - 60_000).toISOString();
  for (const key of extra)
    expect(
      await postEvent(ebEvent('Object Created', BUCKET, { key, size: 5, etag: ETAG, sequencer: SEQ(seq++) }, {}, past)),
    ).toMatchObject({ applied: 1 });
  for (const key of changed)
    expect(
      await postEvent(
        ebEvent('Object Created', BUCKET, { key, size: 999, etag: ETAG, sequencer: SEQ(seq++) }, {}, now()),
      ),
    ).toMatchObject({ applied: 1 });
  // keys whose current version is unknown: a versioned delete of the only version the index knows
  for (const key of [...unverifiedPresent, unverifiedAbsent]) {
    if (key !== unverifiedAbsent)
      await postEvent(
        ebEvent(
          'Object Deleted',
          BUCKET,
          { key, sequencer: SEQ(seq++) },
          { 'deletion-type': 'Permanently Deleted' },
          now(),
        ),
      );
    await postEvent(
      ebEvent(
        'Object Created',
        BUCKET,
        { key, size: 3, etag: ETAG, versionId: 'v9', sequencer: SEQ(seq++) },
        {},
        now(),
      ),
    );
    await postEvent(
      ebEvent(
        'Object Deleted',
        BUCKET,
        { key, versionId: 'v9', sequencer: SEQ(seq++) },
        { 'deletion-type': 'Permanently Deleted' },
        now(),
      ),
    );
  }
  expect(((await redis(['S3IDX.UNVERIFIED', BUCKET])) as string[]).sort()).toEqual(
    [...unverifiedPresent, unverifiedAbsent].sort(),
  );
  // the bucket's objects of the changed keys are overwritten after those events (later lastModified)
  await sleep(1100);
  await putAll(s3.client, changed, () => Buffer.from('overwritten!'));
  await sleep(2100);

  // report only: exactly the drift, and nothing written
  const before = await indexState();
  const sentBefore = sent.length;
  const report = await reconcile({ s3: s3.client, bucket: BUCKET, redis, repair: false, concurrency: 4 });
  expect(sent.slice(sentBefore).filter((a) => /^S3IDX\.(BACKFILL|VERIFIED)$/i.test(a[0]!))).toEqual([]);
  expect(await indexState()).toEqual(before);
  expect(report.missing.map((r) => r.key)).toEqual(byteOrder(removed));
  expect(report.extra.map((r) => r.key)).toEqual(byteOrder(extra));
  expect(report.stale.map((s) => [s.key, s.index.size, s.bucket.size])).toEqual(
    byteOrder(changed).map((k) => [k, 999, 12]),
  );
  expect(report.unverified).toBe(3);
  expect(report.verified).toEqual({ present: 2, absent: 1 });
  expect(report.repaired).toEqual({ applied: 0, stale: 0, duplicate: 0, ignored: 0, queued: 0 });
  expect(report.checked).toEqual({
    bucket: KEYS.length,
    index: KEYS.length - removed.length - unverifiedPresent.length + extra.length,
  });

  // the CLI module: a table, exit 1 (drift remains); JSON the same drift
  const out: string[] = [];
  const deps = { redis, s3: s3.client, out: (t: string) => out.push(t), err: () => {} };
  expect(await runReconcile({ bucket: BUCKET, prefix: '', repair: false, json: false, concurrency: 4 }, deps)).toBe(1);
  expect(out.join('')).toMatch(/^KIND +KEY/);
  expect(out.join('')).toContain(`stale    ${byteOrder(changed)[0]}`);
  expect(out.join('')).toMatch(/5 missing, 4 extra, 3 stale, 3 unverified \(2 present, 1 absent\)/);
  out.length = 0;
  expect(await runReconcile({ bucket: BUCKET, prefix: '', repair: false, json: true, concurrency: 4 }, deps)).toBe(1);
  const json = JSON.parse(out.join('')) as { drift: number; extra: Array<{ key: string }> };
  expect(json.drift).toBe(15);
  expect(json.extra.map((r) => r.key)).toEqual(byteOrder(extra));
  expect(await indexState()).toEqual(before);

  // repair (HeadObject failing with 503 once per key first: retried)
  let throttled = 0;
  const flaky = {
    send: async (cmd: unknown) => {
      if (cmd instanceof HeadObjectCommand && throttled < 20) {
        throttled++;
        throw Object.assign(new Error('Please reduce your request rate.'), {
          name: 'SlowDown',
          $metadata: { httpStatusCode: 503 },
        });
      }
      return s3.client.send(cmd as never);
    },
  } as unknown as S3Client;
  out.length = 0;
  expect(
    await runReconcile(
      { bucket: BUCKET, prefix: '', repair: true, json: true, concurrency: 4 },
      { ...deps, s3: flaky },
    ),
  ).toBe(0);
  expect(throttled).toBe(20);
  const repaired = JSON.parse(out.join('')) as { repaired: Record<string, number>; verified: unknown };
  expect(repaired.verified).toEqual({ present: 2, absent: 1 });
  // 5 missing + 3 stale rows, 4 extra + 3 unverified results: all applied
  expect(repaired.repaired).toEqual({ applied: 15, stale: 0, duplicate: 0, ignored: 0, queued: 0 });

  const after = await reconcile({ s3: s3.client, bucket: BUCKET, redis, repair: false });
  expect([after.missing, after.extra, after.stale, after.unverified]).toEqual([[], [], [], 0]);
  expect(await indexKeys()).toEqual(byteOrder(KEYS));
  const head = (await redis(['S3IDX.HEAD', BUCKET, changed[0]!])) as unknown[];
  expect(head[3]).toBe(12);
  out.length = 0;
  expect(await runReconcile({ bucket: BUCKET, prefix: '', repair: false, json: false, concurrency: 4 }, deps)).toBe(0);
  expect(out.join('')).toMatch(/0 missing, 0 extra, 0 stale, 0 unverified/);
}, 180_000);

test('a prefix limits both sides; a HeadObject failing for good fails the reconcile', async () => {
  const r = await reconcile({ s3: s3.client, bucket: BUCKET, prefix: 'logs/', redis, repair: false });
  expect(r.checked).toEqual({ bucket: 302, index: 302 });
  expect([r.missing, r.extra, r.stale, r.skipped]).toEqual([[], [], [], 0]);
  // an object written as the listing begins is a race, not drift
  await putAll(s3.client, ['logs/just-now.txt'], () => Buffer.from('new'));
  const raced = await reconcile({ s3: s3.client, bucket: BUCKET, prefix: 'logs/', redis, repair: false });
  expect([raced.missing, raced.skipped]).toEqual([[], 1]);
  await postEvent(
    ebEvent(
      'Object Created',
      BUCKET,
      { key: 'logs/extra', size: 1, etag: ETAG, sequencer: SEQ(0x9000) },
      {},
      new Date(Date.now() - 60_000).toISOString(),
    ),
  );
  // a key the listing did not show but HeadObject finds (the listing raced a write) is not extra
  const hidden = 'logs/app/1+run.log';
  const hiding = {
    send: async (cmd: unknown) => {
      const out = (await s3.client.send(cmd as never)) as { Contents?: Array<{ Key?: string }> };
      if (cmd instanceof ListObjectsV2Command && out.Contents)
        out.Contents = out.Contents.filter((c) => c.Key !== hidden);
      return out;
    },
  } as unknown as S3Client;
  const seen = await reconcile({ s3: hiding, bucket: BUCKET, prefix: 'logs/app/', redis, repair: false });
  expect(seen.checked.index - seen.checked.bucket).toBe(1);
  expect(seen.extra).toEqual([]);
  const failing = {
    send: async (cmd: unknown) => {
      if (cmd instanceof HeadObjectCommand)
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      return s3.client.send(cmd as never);
    },
  } as unknown as S3Client;
  await expect(reconcile({ s3: failing, bucket: BUCKET, prefix: 'logs/', redis, repair: true })).rejects.toThrow(
    'Access Denied',
  );
  const ok = await reconcile({ s3: s3.client, bucket: BUCKET, prefix: 'logs/', redis, repair: false });
  expect(ok.extra.map((x) => x.key)).toEqual(['logs/extra']);
  // nothing was written by the failed repair: the extra key is still listed
  expect(ok.checked.index).toBe(302 + 1);
}, 60_000);
