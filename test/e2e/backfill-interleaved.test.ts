/**
 * Issue 22, backfill: "a crawl interleaved with puts/deletes ends equal to the bucket", end to end as a user runs it.
 *
 * `s3-index dev` (the built CLI, a child process) runs the server and its local S3 (s3rver) whose writes are ingested
 * as S3 events. Its buckets already hold ~20,600 objects with awkward keys (spaces, '+', '%', accents, CJK, 4-byte
 * characters, a flat folder of 5,000 keys, deep folders), written straight into s3rver's directory before it starts,
 * so no event told the index about them: the index starts empty for them. Then `s3-index backfill` (the CLI, a child)
 * crawls the bucket while writes go on through the emulator's S3 endpoint with @aws-sdk/client-s3 (new puts,
 * overwrites of objects the crawl may have read already, deletes, deletes followed by re-puts, puts then deletes of
 * new keys), from right after the backfill starts until it exits:
 *
 *  - background writers, a few in parallel, on random keys (never two operations on one key at once);
 *  - targeted writes: the backfill's requests to the server go through a pass-through (fixtures: startPageProxy) that
 *    holds each S3IDX.BACKFILL page while writes are made to some keys of that page (an overwrite, a delete, a delete
 *    and a re-put) and the index shows them; the page then reaches the server, its rows read before those writes. Every
 *    crawl thereby meets the race the merge rule exists for (src/index/key-state.ts, op 'listed': a row never
 *    overrides an event, never resurrects a key deleted since the crawl began), on every page, not by luck of timing.
 *
 * Once both have ended and the emulator's events are all applied (a last put, listed once the index has it: the
 * emulator delivers its events in order), the index's whole listing through its S3 endpoint (/s3, paged ListObjectsV2
 * read by the AWS SDK, no delimiter) must be exactly the bucket: the same keys, sizes and ETags. The expected bucket is
 * the test's own model of what it wrote (the fixture plus every acknowledged write), checked against what s3rver
 * really holds, read from its directory (each object file and the md5 of its content). s3rver's own paged listing is
 * not trusted as the expected content (docs/local.md: it can skip keys of large buckets); what it lists is only
 * checked against the model. A second backfill afterwards finds every row a duplicate and changes nothing.
 *
 * Variants: --concurrency 8, --concurrency 1, and a prefix (BUCKET/deep/d e/: only keys under it are crawled; the
 * index then holds those, plus every key the events told about).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkListing, unquote } from '../helpers/s3-listing';
import { buildCli } from '../helpers/serve-child';
import {
  bodyOf,
  fixtureKeys,
  isFolderMarker,
  md5,
  NameSource,
  type Obj,
  prng,
  startPageProxy,
  storedObjects,
  writeBucket,
} from './backfill-interleaved.fixtures';

const root = path.join(__dirname, '../..');
const READY = /HTTP API on [\s\S]*S3 emulator/;

const BUCKETS = { c8: 'interleaved-c8', c1: 'interleaved-c1', prefix: 'interleaved-prefix' } as const;

interface Row extends Obj {
  key: string;
}

let cwd: string;
let emulatorDir: string;
let dev: ChildProcess | undefined;
let devExited: Promise<unknown> = Promise.resolve();
let devErr = '';
let httpPort: number;
let emulatorPort: number;
const initial = new Map<string, Map<string, Obj>>();

beforeAll(async () => {
  buildCli();
  // on tmpfs when there is one: 65,000 small files are written in ~2 s there, ~15 s on a disk
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  cwd = fs.mkdtempSync(path.join(base, 's3idx-backfill-interleaved-'));
  emulatorDir = path.join(cwd, 's3');
  // the buckets exist before the emulator starts: written as files, no S3 request, no event
  const keys = fixtureKeys();
  for (const b of Object.values(BUCKETS)) initial.set(b, writeBucket(emulatorDir, b, keys));

  const env: NodeJS.ProcessEnv = { ...process.env, S3_INDEX_API_TOKENS: '' };
  for (const k of ['S3_INDEX_EMULATOR', 'S3_INDEX_BUCKETS', 'S3_INDEX_DATA_DIR', 'S3_INDEX_STORE']) delete env[k];
  // ports the system picks (port 0), read from the banner: free ports picked here could be taken meanwhile
  const args = ['dev', '--http-port', '0', '--resp-port', '0', '--emulator-port', '0'];
  args.push('--emulator-dir', emulatorDir, ...Object.values(BUCKETS).flatMap((b) => ['--bucket', b]));
  const child = spawn(process.execPath, [path.join(root, 'bin/s3-index.js'), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  dev = child;
  devExited = new Promise((resolve) => child.once('close', resolve));
  child.stderr!.on('data', (d: Buffer) => {
    devErr += d.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!READY.test(devErr)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dev exited: ${devErr}`);
    if (Date.now() > deadline) throw new Error(`dev did not start within 30 s: ${devErr}`);
    await sleep(20);
  }
  const http = /HTTP API on http:\/\/[^\s]+:(\d+)/.exec(devErr);
  const emulator = /S3 emulator +http:\/\/[^\s]+:(\d+)/.exec(devErr);
  if (http === null || emulator === null) throw new Error(`dev named no ports: ${devErr}`);
  httpPort = Number(http[1]);
  emulatorPort = Number(emulator[1]);
}, 120_000);

afterAll(async () => {
  if (dev && dev.exitCode === null && dev.signalCode === null) {
    dev.kill('SIGINT');
    const timer = setTimeout(() => dev?.kill('SIGKILL'), 10_000);
    await devExited;
    clearTimeout(timer);
  }
  if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
}, 30_000);

/** what a scenario leaves open (clients, the proxy, a crawl still running): closed after each test, passed or not */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const s3Client = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
/** Every object of a ListObjectsV2 endpoint, paged with continuation tokens, no delimiter. */
const listAll = (client: S3Client, bucket: string): Promise<Row[]> => sdkListing(client, bucket);

/** The index's view of one key (GET /v1/buckets/B/objects/KEY), undefined when it lists none. */
async function headIndex(bucket: string, key: string): Promise<Obj | undefined> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/buckets/${bucket}/objects/${encodeURIComponent(key)}`);
  if (res.status === 404) {
    await res.arrayBuffer();
    return undefined;
  }
  if (res.status !== 200) throw new Error(`HEAD ${key}: ${res.status} ${await res.text()}`);
  const o = (await res.json()) as { size: number; etag: string | null };
  return { size: o.size, etag: o.etag ?? '' };
}

/** Differences between the expected content and a listing, a few of each kind (short diffs when 20,000 rows differ). */
function diff(expected: ReadonlyMap<string, Obj>, rows: readonly Row[]) {
  const seen = new Set<string>();
  const extra: Row[] = [];
  const different: Array<{ key: string; want: Obj; got: Obj }> = [];
  const twice: string[] = [];
  for (const r of rows) {
    if (seen.has(r.key)) twice.push(r.key);
    seen.add(r.key);
    const want = expected.get(r.key);
    if (want === undefined) extra.push(r);
    else if (want.size !== r.size || want.etag !== r.etag)
      different.push({ key: r.key, want, got: { size: r.size, etag: r.etag } });
  }
  const missing = [...expected.keys()].filter((k) => !seen.has(k));
  const sorted = rows.every((r, i) => i === 0 || byBytes(rows[i - 1]!.key, r.key) < 0);
  return {
    missing: missing.length,
    extra: extra.length,
    different: different.length,
    twice: twice.length,
    sorted,
    examples: { missing: missing.slice(0, 5), extra: extra.slice(0, 5), different: different.slice(0, 5) },
  };
}
const EXACT = {
  missing: 0,
  extra: 0,
  different: 0,
  twice: 0,
  sorted: true,
  examples: { missing: [], extra: [], different: [] },
};

interface BackfillRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** when the first progress line came */
  firstProgressAt: number | undefined;
}

/** `s3-index backfill TARGET --concurrency N --url URL`, with the emulator as its S3 (AWS_ENDPOINT_URL_S3). */
function startBackfill(target: string, concurrency: number, url: string): { done: Promise<BackfillRun> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${emulatorPort}`,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(cwd, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'S3_INDEX_URL', 'S3_INDEX_TOKEN'])
    delete env[k];
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/s3-index.js'), 'backfill', target, '--concurrency', String(concurrency), '--url', url],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const run: BackfillRun = { code: null, stdout: '', stderr: '', firstProgressAt: undefined };
  child.stdout!.on('data', (d: Buffer) => {
    run.stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    run.stderr += d.toString();
    if (run.firstProgressAt === undefined && /s3-index backfill: \d+ objects/.test(run.stderr))
      run.firstProgressAt = Date.now();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
  cleanups.push(() => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    done: new Promise((resolve) =>
      child.once('close', (code) => {
        clearTimeout(timer);
        run.code = code;
        resolve(run);
      }),
    ),
  };
}

type OpKind = 'put-new' | 'overwrite' | 'delete' | 'delete-reput' | 'put-delete-new';

interface Scenario {
  bucket: string;
  concurrency: number;
  /** crawl only this prefix (BUCKET/PREFIX) */
  prefix?: string;
  seed: number;
  /** background writers */
  writers: number;
  /** pause of a writer between two operations (ms) */
  paceMs: number;
  /** writes expected in all, and while the crawl's pages were coming in, at least */
  minOps: number;
  minMidCrawl: number;
}

async function runScenario(sc: Scenario) {
  const { bucket, prefix = '' } = sc;
  const emu = s3Client(`http://127.0.0.1:${emulatorPort}`);
  const index = s3Client(`http://127.0.0.1:${httpPort}/s3`);
  cleanups.push(
    () => emu.destroy(),
    () => index.destroy(),
  );
  const rand = prng(sc.seed);
  const names = new NameSource(rand);
  /** the bucket as the test wrote it: the fixture, then every acknowledged write */
  const model = new Map(initial.get(bucket)!);
  const generation = new Map<string, number>();
  /** keys some write (hence an event) touched */
  const evented = new Set<string>();
  const busy = new Set<string>();
  const pool = [...model.keys()];
  const counts: Record<OpKind | 'targeted' | 'midCrawl', number> = {
    'put-new': 0,
    overwrite: 0,
    delete: 0,
    'delete-reput': 0,
    'put-delete-new': 0,
    targeted: 0,
    midCrawl: 0,
  };
  const errors: unknown[] = [];
  let firstPageAt: number | undefined;
  let lastPageAt: number | undefined;

  // the index starts without the bucket's objects (it knows no such bucket)
  await expect(listAll(index, bucket)).rejects.toMatchObject({ name: 'NoSuchBucket' });

  const put = async (key: string) => {
    const gen = (generation.get(key) ?? 0) + 1;
    generation.set(key, gen);
    const body = bodyOf(key, gen);
    const r = await emu.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const etag = md5(body);
    if (unquote(r.ETag) !== etag) throw new Error(`put ${key}: ETag ${r.ETag}, expected ${etag}`);
    model.set(key, { size: body.length, etag });
    evented.add(key);
  };
  const del = async (key: string) => {
    await emu.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    model.delete(key);
    evented.add(key);
  };
  const locked = async (key: string, f: () => Promise<void>) => {
    busy.add(key);
    try {
      await f();
    } finally {
      busy.delete(key);
    }
  };
  /** an existing key nobody is writing; folder markers are never deleted (s3rver needs them, see the fixtures) */
  const pickExisting = (deletable: boolean, within = ''): string | undefined => {
    for (let i = 0; i < 100; i++) {
      const k = pool[Math.floor(rand() * pool.length)]!;
      if (!model.has(k) || busy.has(k) || !k.startsWith(within) || (deletable && isFolderMarker(k))) continue;
      return k;
    }
    return undefined;
  };
  const newKey = (within: string): string => {
    for (;;) {
      const k = names.next(within);
      if (!model.has(k) && !busy.has(k) && !generation.has(k)) return k;
    }
  };

  const operate = async (kind: OpKind, key: string) => {
    await locked(key, async () => {
      if (kind === 'put-new') {
        pool.push(key);
        await put(key);
      } else if (kind === 'overwrite') await put(key);
      else if (kind === 'delete') await del(key);
      else {
        if (kind === 'put-delete-new') await put(key);
        await del(key);
        if (kind === 'delete-reput') await put(key);
      }
    });
    counts[kind]++;
    if (firstPageAt !== undefined && lastPageAt === undefined) counts.midCrawl++;
  };

  // targeted writes: keys of a page held on its way to the server, so that its rows are older than the writes
  let targeting = true;
  const proxy = await startPageProxy(`http://127.0.0.1:${httpPort}`, async (keys) => {
    firstPageAt ??= Date.now();
    if (!targeting) return;
    const candidates = keys.filter((k) => model.has(k) && !busy.has(k) && !isFolderMarker(k));
    const chosen: string[] = [];
    while (chosen.length < 3 && candidates.length > 0)
      chosen.push(candidates.splice(Math.floor(rand() * candidates.length), 1)[0]!);
    const kinds: OpKind[] = ['overwrite', 'delete', 'delete-reput'];
    await Promise.all(chosen.map((k, i) => operate(kinds[i]!, k)));
    // read-your-writes answers within 2 s at most: make sure the index has the events before the rows arrive
    for (const k of chosen) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const got = await headIndex(bucket, k);
        const want = model.get(k);
        if (got?.etag === want?.etag && got?.size === want?.size) break;
        if (Date.now() > deadline) throw new Error(`the index did not show the write of ${k}: ${JSON.stringify(got)}`);
        await sleep(10);
      }
    }
    counts.targeted += chosen.length;
  });
  cleanups.push(() => proxy.close());

  // background writers, from right after the backfill starts until it exits
  const target = `${bucket}${prefix === '' ? '' : `/${prefix}`}`;
  const backfill = startBackfill(target, sc.concurrency, proxy.url);
  let crawling = true;
  const writer = async () => {
    while (crawling) {
      // with a prefix, most writes go under it
      const within = prefix !== '' && rand() < 0.7 ? prefix : '';
      const r = rand();
      let kind: OpKind;
      let key: string | undefined;
      if (r < 0.25) [kind, key] = ['put-new', newKey(within)];
      else if (r < 0.5) [kind, key] = ['overwrite', pickExisting(false, within)];
      else if (r < 0.7) [kind, key] = ['delete', pickExisting(true, within)];
      else if (r < 0.85) [kind, key] = ['delete-reput', pickExisting(true, within)];
      else [kind, key] = ['put-delete-new', newKey(within)];
      if (key !== undefined) await operate(kind, key).catch((err: unknown) => errors.push(err));
      await sleep(sc.paceMs);
    }
  };
  const writers = Array.from({ length: sc.writers }, () => writer());
  cleanups.push(() => {
    crawling = false;
    return Promise.all(writers);
  });
  const t0 = Date.now();
  const run = await backfill.done;
  lastPageAt = Date.now();
  crawling = false;
  targeting = false;
  await Promise.all(writers);
  const crawlMs = lastPageAt - t0;

  // the backfill's own output in the failure message when it did not succeed (the diff of a matcher hides it)
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
  expect(run.stderr).not.toMatch(/failed|Error/);
  expect(errors).toEqual([]);
  expect(proxy.errors).toEqual([]);

  // every event applied: a last write, listed once the index has it (the emulator delivers its events in order)
  const last = `zz last write ✓ ${sc.seed}`;
  await locked(last, () => put(last));
  const deadline = Date.now() + 10_000;
  while ((await headIndex(bucket, last))?.etag !== model.get(last)!.etag) {
    if (Date.now() > deadline) throw new Error('the last write was not indexed within 10 s');
    await sleep(20);
  }

  const summary = JSON.parse(run.stdout) as Record<string, number | string>;
  const total =
    counts['put-new'] + counts.overwrite + counts.delete + counts['delete-reput'] + counts['put-delete-new'];
  const report = { crawlMs, pages: proxy.pages, summary, counts, total };

  // the bucket really is what the model says: s3rver's directory, file by file
  const stored = storedObjects(emulatorDir, bucket);
  expect(stored.badMd5).toEqual([]);
  expect(
    diff(
      model,
      [...stored.objects].map(([key, o]) => ({ key, ...o })).sort((a, b) => byBytes(a.key, b.key)),
    ),
  ).toEqual(EXACT);
  // s3rver's own listing: whatever it lists is right (it may skip keys of large buckets; it is not the reference)
  const fromEmulator = await listAll(emu, bucket);
  expect(fromEmulator.filter((r) => model.get(r.key)?.etag !== r.etag || model.get(r.key)?.size !== r.size)).toEqual(
    [],
  );

  // THE CHECK: the index's whole listing, as an S3 client reads it, is exactly the bucket
  const expected = new Map(
    [...model].filter(([k]) => k.startsWith(prefix) || evented.has(k)).sort(([a], [b]) => byBytes(a, b)),
  );
  const listed = await listAll(index, bucket);
  expect({ report, diff: diff(expected, listed) }).toEqual({ report, diff: EXACT });
  expect(listed.length).toBeGreaterThanOrEqual(prefix === '' ? 20_000 : 2000);

  // the writes did interleave with the crawl: several hundred in all, most while its pages were coming in
  expect(total).toBeGreaterThanOrEqual(sc.minOps);
  expect(counts.midCrawl).toBeGreaterThanOrEqual(sc.minMidCrawl);
  expect(counts.targeted).toBeGreaterThanOrEqual(3 * Math.min(proxy.pages, 15));
  expect(Math.min(counts['put-new'], counts.delete, counts['delete-reput'], counts['put-delete-new'])).toBeGreaterThan(
    10,
  );
  // the first crawl: every row accounted for, and at least the targeted keys' rows were older than the index knew
  const { objects, applied, stale, duplicate, ignored } = summary as Record<string, number>;
  expect(applied + stale + duplicate + ignored).toBe(objects);
  expect(ignored).toBe(0);
  expect(stale).toBeGreaterThanOrEqual(counts.targeted);
  expect(applied).toBeGreaterThan(prefix === '' ? 15_000 : 1000);

  // a second backfill, nothing written meanwhile: every row a duplicate, nothing changes
  const again = await startBackfill(target, sc.concurrency, `http://127.0.0.1:${httpPort}`).done;
  expect(again.code).toBe(0);
  const underPrefix = [...model.keys()].filter((k) => k.startsWith(prefix)).length;
  expect(JSON.parse(again.stdout)).toMatchObject({
    objects: underPrefix,
    applied: 0,
    stale: 0,
    duplicate: underPrefix,
  });
  expect(diff(expected, await listAll(index, bucket))).toEqual(EXACT);
  expect(devErr).not.toMatch(/rejected|not ingested/);
  // BACKFILL_REPORT=1: the crawl's summary and the writes' counts
  if (process.env.BACKFILL_REPORT) console.log(JSON.stringify(report));
  return report;
}

describe('s3-index backfill while the bucket changes (s3-index dev, ~20,600 awkward keys)', () => {
  it('--concurrency 8: ends equal to the bucket, and a second crawl changes nothing', async () => {
    await runScenario({
      bucket: BUCKETS.c8,
      concurrency: 8,
      seed: 22,
      writers: 3,
      paceMs: 5,
      minOps: 300,
      minMidCrawl: 200,
    });
  }, 90_000);

  it('--concurrency 1: ends equal to the bucket', async () => {
    await runScenario({
      bucket: BUCKETS.c1,
      concurrency: 1,
      seed: 2201,
      writers: 3,
      paceMs: 5,
      minOps: 300,
      minMidCrawl: 200,
    });
  }, 90_000);

  it('BUCKET/deep/d e/: the prefix crawled, and every key the events told', async () => {
    await runScenario({
      bucket: BUCKETS.prefix,
      concurrency: 8,
      prefix: 'deep/d e/',
      seed: 2202,
      writers: 3,
      paceMs: 5,
      minOps: 100,
      minMidCrawl: 60,
    });
  }, 90_000);
});
