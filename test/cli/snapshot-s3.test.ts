/**
 * `s3-index snapshot inspect|verify s3://…` as a user runs it (the built CLI, a child process) against s3rver holding
 * a copy of the golden store: the same report as for the directory, a damaged snapshot object named with exit 1, a
 * prefix without a manifest, and nothing written to the bucket (no probe object).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const root = path.join(__dirname, '../..');
const fixture = path.join(__dirname, '../fixtures/persistence/v1/store');
const S3rver = require('s3rver') as new (
  o: Record<string, unknown>,
) => { run(): Promise<{ port: number }>; close(): Promise<void> };

let s3: InstanceType<typeof S3rver>;
let endpoint = '';
let dir = '';
const client = () =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });

async function upload(prefix: string, mutate?: (name: string, b: Buffer) => Buffer): Promise<void> {
  const c = client();
  const walk = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(fixture)) {
    const name = path.relative(fixture, f).split(path.sep).join('/');
    const body = mutate ? mutate(name, fs.readFileSync(f)) : fs.readFileSync(f);
    await c.send(new PutObjectCommand({ Bucket: 'state', Key: `${prefix}/${name}`, Body: body }));
  }
}

function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ['bin/s3-index.js', 'snapshot', ...args], {
    cwd: root,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_S3: '',
      S3_INDEX_S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((r) => proc.once('close', (code) => r({ code, out, err })));
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-snap-s3-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'state' }],
  });
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  await upload('good');
  await upload('bad', (name, b) => {
    if (name.endsWith('.snapshot')) b[200]! ^= 1;
    return b;
  });
}, 120_000);
afterAll(async () => {
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('s3-index snapshot on s3://', () => {
  it('inspect and verify a store in S3, writing nothing', async () => {
    const i = await cli('inspect', 's3://state/good');
    expect(i.code).toBe(0);
    expect(i.out).toMatch(/^manifest: last batch 2, written by golden01/);
    expect(i.out).toMatch(/section 1: DATA deflated \d+ bytes/);
    expect(i.out).toMatch(/segment log\/0000000000000002-golden01.seg: batches 2…2, 3 commands/);
    const v = await cli('verify', 's3://state/good');
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/ok: every checksum and record is valid\n$/);
    const listed = await client().send(new ListObjectsV2Command({ Bucket: 'state', Prefix: 'good/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).filter((k) => k!.includes('.probe'))).toEqual([]);
  }, 60_000);

  it('a damaged snapshot object exits 1 naming the problem; a prefix without a manifest exits 1', async () => {
    const v = await cli('verify', 's3://state/bad');
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/s3-index: section checksum mismatch \(kind 2\)\n/);
    const none = await cli('inspect', 's3://state/nothing-here');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/s3-index: s3:\/\/state\/nothing-here has no manifest.json\n/);
  }, 60_000);
});
