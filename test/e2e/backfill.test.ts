/**
 * `s3-index backfill BUCKET` end to end: a bucket that already holds objects (s3rver, awkward keys, folders) is
 * crawled by the built CLI into a running `s3-index serve` through its API, with events arriving meanwhile; the index
 * ends with exactly what the bucket holds, and an event that came after the crawl began is never overridden.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  awkwardKeys,
  buildInventory,
  CURRENT_SCHEMA,
  objectsFor,
  putInventory,
  rowOf,
  split,
} from '../backfill/inventory-fixtures';
import { startS3rver, type TestS3 } from '../helpers/s3rver';
import { buildCli, killServeChildren, type ServeChild, startServeChild } from '../helpers/serve-child';

const root = path.join(__dirname, '../..');
let s3: TestS3;
let serve: ServeChild;

// below 1000 keys per listing: s3rver's continuation tokens need --openssl-legacy-provider in this process. Every
// folder holds an object of its own: s3rver leaves a folder that holds only folders out of a delimiter listing (real
// S3 does not; test/backfill/crawl.test.ts)
const KEYS = [
  'photos/index.html',
  'logs/index.html',
  'deep/index.html',
  'deep/a/index.html',
  'deep/a/b/index.html',
  'deep/a/b/c/index.html',
  'deep/a/b/c/d/index.html',
  ...Array.from({ length: 120 }, (_, i) => `photos/2024/IMG ${String(i).padStart(4, '0')}.jpg`),
  ...Array.from({ length: 80 }, (_, i) => `logs/app/${i}+run.log`),
  ...Array.from({ length: 40 }, (_, i) => `flat-${i}.txt`),
  'deep/a/b/c/d/e/f.txt',
  'Résumé final.pdf',
  'データ/レポート.csv',
  'a',
  'a-',
  'a0',
];

beforeAll(async () => {
  buildCli();
  s3 = await startS3rver(['existing', 'inventoried', 'inventories'], 'backfill');
  for (const [i, Key] of KEYS.entries())
    await s3.client.send(new PutObjectCommand({ Bucket: 'existing', Key, Body: Buffer.alloc(i % 7, 'x') }));
  serve = await startServeChild({ env: { S3_INDEX_API_TOKENS: '' } });
}, 120_000);

afterAll(async () => {
  await killServeChildren();
  await s3?.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/s3-index.js', ...args, '--url', `http://127.0.0.1:${serve.httpPort}`],
      { cwd: root, env: { ...process.env, ...s3.env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function listed(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | null = null;
  do {
    const q = new URLSearchParams(token ? { 'continuation-token': token } : {});
    const res = await fetch(`http://127.0.0.1:${serve.httpPort}/v1/buckets/${bucket}/objects?${q}`);
    const page = (await res.json()) as { objects: Array<{ key: string }>; nextContinuationToken: string | null };
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextContinuationToken;
  } while (token);
  return keys;
}

const byteOrder = (xs: string[]) => xs.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

test('backfill indexes exactly what the bucket holds, and never overrides what an event told', async () => {
  await s3.client.send(new DeleteObjectCommand({ Bucket: 'existing', Key: 'a0' }));
  // an event of a later write than the bucket's listing will show: the index keeps what the event told
  const told = 'photos/2024/IMG 0001.jpg';
  const event = JSON.parse(fs.readFileSync(path.join(root, 'events/eventbridge-object-created.json'), 'utf8'));
  event.detail.bucket.name = 'existing';
  event.resources = ['arn:aws:s3:::existing'];
  event.detail.object = { key: told, size: 999_999, etag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '00FF' };
  event.time = '2030-01-01T00:00:00Z';
  const posted = await fetch(`http://127.0.0.1:${serve.httpPort}/v1/events`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  expect(((await posted.json()) as { applied: number }).applied).toBe(1);
  const run = await cli(['backfill', 's3://existing', '--concurrency', '4']);
  expect(run.stderr).not.toMatch(/failed|Error/);
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as Record<string, number>;
  const expected = byteOrder(KEYS.filter((k) => k !== 'a0'));
  expect(summary).toMatchObject({
    bucket: 'existing',
    objects: expected.length,
    applied: expected.length - 1,
    stale: 1,
  });
  expect(await listed('existing')).toEqual(expected);
  const kept = await fetch(
    `http://127.0.0.1:${serve.httpPort}/v1/buckets/existing/objects/${encodeURIComponent(told)}`,
  );
  expect(((await kept.json()) as { size: number }).size).toBe(999_999);
  const head = (await (
    await fetch(
      `http://127.0.0.1:${serve.httpPort}/v1/buckets/existing/objects/${encodeURIComponent('Résumé final.pdf')}`,
    )
  ).json()) as { size: number; etag: string };
  expect(head.size).toBe(KEYS.indexOf('Résumé final.pdf') % 7);
  // a second crawl changes nothing: every row is a duplicate
  const again = JSON.parse((await cli(['backfill', 'existing'])).stdout) as Record<string, number>;
  expect(again).toMatchObject({ applied: 0, duplicate: expected.length - 1, stale: 1 });
  // a prefix
  const prefixed = JSON.parse((await cli(['backfill', 'existing/logs/'])).stdout) as Record<string, number>;
  expect(prefixed).toMatchObject({ prefix: 'logs/', objects: 81, duplicate: 81 });
}, 120_000);

test('backfill of a bucket the server cannot reach fails with one line', async () => {
  const run = await cli(['backfill', 'no-such-bucket']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^s3-index backfill: the crawl failed: /m);
});

test('--bucket and --prefix spell BUCKET/PREFIX; a clash or no bucket is a usage error', async () => {
  const run = await cli(['backfill', '--bucket', 'existing', '--prefix', 'deep/']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ bucket: 'existing', prefix: 'deep/', objects: 6 });
  const clash = await cli(['backfill', 'existing', '--bucket', 'other']);
  expect(clash.code).toBe(2);
  expect(clash.stderr).toMatch(/name different buckets/);
  const none = await cli(['backfill']);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/needs a bucket/);
});

test('--inventory: the rows of an S3 Inventory (manifest + gzip CSV in S3) indexed, no listing made', async () => {
  const objects = objectsFor(awkwardKeys().slice(0, 3000), 7);
  const createdAt = Date.now() - 3_600_000;
  const inv = buildInventory({
    sourceBucket: 'inventoried',
    destinationBucket: 'inventories',
    base: 'inv/inventoried/daily',
    schema: CURRENT_SCHEMA,
    files: split(
      objects.map((o) => rowOf('inventoried', o)),
      [1000, 1000],
    ),
    createdAt,
  });
  await putInventory(s3.client, 'inventories', inv);
  const uri = `s3://inventories/${inv.manifestKey}`;
  const run = await cli(['backfill', 'inventoried', '--inventory', uri]);
  expect(run.stderr).not.toMatch(/failed|Error/);
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(summary).toMatchObject({ bucket: 'inventoried', files: 3, objects: objects.length, applied: objects.length });
  expect(await listed('inventoried')).toEqual(byteOrder(objects.map((o) => o.key)));
  const o = objects[123]!;
  const head = (await (
    await fetch(`http://127.0.0.1:${serve.httpPort}/v1/buckets/inventoried/objects/${encodeURIComponent(o.key)}`)
  ).json()) as { size: number; etag: string; storageClass: string };
  expect(head).toMatchObject({ size: o.size, storageClass: o.storageClass });
  expect(head.etag.replace(/"/g, '')).toBe(o.etag);
  // a prefix, and the inventory of another bucket refused
  const pre = await cli(['backfill', 'inventoried/flat/', '--inventory', uri]);
  expect(JSON.parse(pre.stdout)).toMatchObject({ prefix: 'flat/', applied: 0 });
  const wrong = await cli(['backfill', 'existing', '--inventory', uri]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/inventory of inventoried, not of existing/);
  const missing = await cli(['backfill', 'inventoried', '--inventory', 's3://inventories/nope/manifest.json']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/cannot read s3:\/\/inventories\/nope\/manifest.json/);
}, 120_000);

test('reconcile: drift the events never told is reported (exit 1), repaired with --repair, then none', async () => {
  // the bucket changes behind the index's back (this s3rver sends no events)
  await s3.client.send(new DeleteObjectCommand({ Bucket: 'existing', Key: 'flat-3.txt' }));
  await s3.client.send(new PutObjectCommand({ Bucket: 'existing', Key: 'logs/new one.log', Body: 'hello' }));
  // reconcile skips what was written within 1 s of its listing (a write racing it): let this one be older
  await new Promise((r) => setTimeout(r, 1500));
  const report = await cli(['reconcile', 'existing', '--json']);
  expect(report.code).toBe(1);
  const r = JSON.parse(report.stdout) as { missing: Array<{ key: string }>; extra: Array<{ key: string }> };
  expect(r.missing.map((x) => x.key)).toEqual(['logs/new one.log']);
  expect(r.extra.map((x) => x.key)).toEqual(['flat-3.txt']);
  // report-only wrote nothing
  expect(await listed('existing')).toContain('flat-3.txt');
  const repair = await cli(['reconcile', '--bucket', 'existing', '--repair']);
  expect(repair.code).toBe(0);
  const keys = await listed('existing');
  expect(keys).toContain('logs/new one.log');
  expect(keys).not.toContain('flat-3.txt');
  const again = await cli(['reconcile', 'existing']);
  expect(again.code).toBe(0);
}, 120_000);

/** The built CLI with no --url (and no S3_INDEX_URL): the commands that may work on a store directly. */
function cliNoServer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...s3.env };
    delete env.S3_INDEX_URL;
    execFile(process.execPath, ['bin/s3-index.js', ...args], { cwd: root, env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What s3rver lists in the bucket (below 1000 keys: one page). */
async function bucketKeys(bucket: string): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

test('--data-dir / --store: backfill and reconcile write the store itself (no server); a server started on it lists the bucket', async () => {
  const want = await bucketKeys('existing');
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 's3idx-backfill-dir-'));
  try {
    const filled = await cliNoServer(['backfill', 'existing', '--data-dir', dir, '--concurrency', '4']);
    expect(filled.stderr).not.toMatch(/failed/);
    expect(filled.code).toBe(0);
    expect(JSON.parse(filled.stdout)).toMatchObject({ bucket: 'existing', objects: want.length, applied: want.length });
    const checked = await cliNoServer(['reconcile', 'existing', '--data-dir', dir, '--json']);
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      drift: 0,
      checked: { bucket: want.length, index: want.length },
    });
    // a server on that directory restores what the backfill wrote
    const server = await startServeChild({ dataDir: dir, env: { S3_INDEX_API_TOKENS: '' } });
    try {
      const keys: string[] = [];
      const res = await fetch(`http://127.0.0.1:${server.httpPort}/v1/buckets/existing/objects?max-keys=1000`);
      keys.push(...((await res.json()) as { objects: Array<{ key: string }> }).objects.map((o) => o.key));
      expect(keys).toEqual(want);
    } finally {
      await server.kill('SIGTERM');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // an S3 store (s3rver: no conditional writes, said in one line)
  const store = 's3://inventories/backfilled-index';
  const viaStore = await cliNoServer(['backfill', 'existing/photos/', '--store', store]);
  expect(viaStore.code).toBe(0);
  expect(viaStore.stderr).toMatch(/conditional writes/i);
  const photos = want.filter((k) => k.startsWith('photos/'));
  expect(JSON.parse(viaStore.stdout)).toMatchObject({ prefix: 'photos/', objects: photos.length });
  const again = await cliNoServer(['reconcile', 'existing/photos/', '--store', store, '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ drift: 0, checked: { index: photos.length } });
}, 120_000);

test('--data-dir and --store: one target at a time, never with --url', async () => {
  const both = await cliNoServer(['backfill', 'existing', '--data-dir', '/tmp/x', '--store', 's3://a/b']);
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/give one/);
  const withUrl = await cliNoServer(['reconcile', 'existing', '--data-dir', '/tmp/x', '--url', 'http://127.0.0.1:1']);
  expect(withUrl.code).toBe(2);
  expect(withUrl.stderr).toMatch(/takes no --url/);
  const notS3 = await cliNoServer(['backfill', 'existing', '--store', '/tmp/x']);
  expect(notS3.code).toBe(2);
  expect(notS3.stderr).toMatch(/--store must be s3:\/\//);
  const other = await cliNoServer(['ls', 'existing', '--data-dir', '/tmp/x']);
  expect(other.code).toBe(2);
  expect(other.stderr).toMatch(/unknown option --data-dir/);
});
