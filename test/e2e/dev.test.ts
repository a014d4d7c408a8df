/**
 * `s3-index dev` (what `npm start` runs) as a user runs it: the built CLI through its launcher (bin/s3-index.js), in
 * a temporary working directory (its state goes to ./.s3-index), on free ports. Objects written to the local S3
 * emulator with @aws-sdk/client-s3 and the AWS CLI are listed by the index over /v1 (JSON), /s3 (ListObjectsV2, read
 * by the SDK) and RESP (ioredis) within a second; SIGINT stops it with exit 0 and a restart in the same directory keeps
 * the index and the objects, and orders what comes after above what came before.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import Redis from 'ioredis';
import { freePort, hasTool } from '../helpers/redis-server';
import { sdkListing as listing, unquote } from '../helpers/s3-listing';
import { buildCli } from '../helpers/serve-child';

const root = path.join(__dirname, '../..');
const READY = /HTTP API on [\s\S]*S3 emulator/;

interface Row {
  key: string;
  size: number;
  etag: string;
}

interface DevChild {
  proc: ChildProcess;
  httpPort: number;
  respPort: number;
  emulatorPort: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

const children = new Set<DevChild>();
const dirs: string[] = [];

async function distinctPorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

function tempCwd(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-dev-'));
  dirs.push(d);
  return d;
}

/**
 * Spawns `s3-index dev` in `cwd` with more arguments, on the ports given (`ports`: those, and free ones picked here for
 * the others), or by default on ports the system picks (port 0), which startDev reads from the banner: picking free
 * ports here and passing them on races other suites' servers, which may take one meanwhile.
 */
async function spawnDev(
  cwd: string,
  opts: { args?: string[]; ports?: Partial<Record<'http' | 'resp' | 'emulator', number>> } = {},
): Promise<DevChild> {
  const [http, resp, emu] = opts.ports === undefined ? [0, 0, 0] : await distinctPorts(3);
  const httpPort = opts.ports?.http ?? http!;
  const respPort = opts.ports?.resp ?? resp!;
  const emulatorPort = opts.ports?.emulator ?? emu!;
  const proc = spawn(
    process.execPath,
    [
      path.join(root, 'bin/s3-index.js'),
      'dev',
      '--http-port',
      String(httpPort),
      '--resp-port',
      String(respPort),
      '--emulator-port',
      String(emulatorPort),
      ...(opts.args ?? []),
    ],
    {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, S3_INDEX_API_TOKENS: '', S3_INDEX_EMULATOR: undefined, S3_INDEX_BUCKETS: undefined },
    },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const child: DevChild = {
    proc,
    httpPort,
    respPort,
    emulatorPort,
    stderr: () => err,
    exited,
    alive: () => !done,
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** Waits until its stderr matches `line`; rejects with its stderr if it exits first or takes too long. */
async function untilLine(child: DevChild, line: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!line.test(child.stderr())) {
    if (!child.alive()) throw new Error(`dev exited (${JSON.stringify(await child.exited)}): ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`dev wrote no ${line} within ${timeoutMs} ms: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `s3-index dev` on ports the system picks, ready; its ports as its banner names them. */
async function startDev(cwd: string, args: string[] = []): Promise<DevChild> {
  const child = await spawnDev(cwd, { args });
  await untilLine(child, READY);
  const err = child.stderr();
  const listening = /RESP server listening on [^\s]+:(\d+)[^\n]*; HTTP API on http:\/\/[^\s]+:(\d+)/.exec(err);
  const emulator = /S3 emulator +http:\/\/[^\s]+:(\d+)/.exec(err);
  if (listening === null || emulator === null) throw new Error(`dev named no ports: ${err}`);
  child.respPort = Number(listening[1]);
  child.httpPort = Number(listening[2]);
  child.emulatorPort = Number(emulator[1]);
  return child;
}

async function stopDev(child: DevChild): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.proc.kill('SIGINT');
  return child.exited;
}

afterAll(async () => {
  for (const c of [...children]) {
    c.proc.kill('SIGKILL');
    await c.exited;
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const s3Client = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const byBytes = (a: Row, b: Row) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
const sdkListing = (client: S3Client, bucket = 'demo'): Promise<Row[]> => listing(client, bucket);

async function v1Listing(httpPort: number, bucket = 'demo'): Promise<Row[]> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/buckets/${bucket}/objects`);
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  const body = (await res.json()) as { objects: Array<{ key: string; size: number; etag: string | null }> };
  return body.objects.map((o) => ({ key: o.key, size: o.size, etag: o.etag ?? '' }));
}

/** Polls the /v1 listing until `ok` holds of it; fails after `withinMs` with the last listing seen. */
async function v1Until(httpPort: number, ok: (rows: Row[]) => boolean, withinMs = 1000): Promise<Row[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const rows = await v1Listing(httpPort);
    if (ok(rows)) return rows;
    if (Date.now() > deadline)
      throw new Error(`the index did not list it within ${withinMs} ms: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const has = (key: string, etag?: string) => (rows: Row[]) =>
  rows.some((r) => r.key === key && (etag === undefined || r.etag === etag));

function awsCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      args,
      {
        cwd,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          HOME: cwd,
          AWS_ACCESS_KEY_ID: 'any',
          AWS_SECRET_ACCESS_KEY: 'any',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: path.join(cwd, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'no-aws-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const withAws = hasTool('aws') || process.env.CI === 'true';
if (!withAws)
  console.warn("SKIPPED (part): 'aws' is not installed (pip install awscli); set CI=true to make it mandatory");

beforeAll(() => buildCli(), 120_000);

describe('s3-index dev', () => {
  it('indexes what is written to its local S3, serves it over /v1, /s3 and RESP, and keeps it across a restart', async () => {
    const cwd = tempCwd();
    let dev = await startDev(cwd);
    expect(dev.stderr()).toMatch(new RegExp(`S3 emulator +http://127\\.0\\.0\\.1:${dev.emulatorPort} .*buckets: demo`));
    // the banner names the browse page, which answers there
    expect(dev.stderr()).toMatch(new RegExp(`browse +http://127\\.0\\.0\\.1:${dev.httpPort}/ui\n`));
    const page = await fetch(`http://127.0.0.1:${dev.httpPort}/ui`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    let emu = s3Client(`http://127.0.0.1:${dev.emulatorPort}`);
    const keys = [
      'docs/hello.txt',
      'with space.txt',
      'plus+sign.txt',
      'caf\u00e9/\u65e5\u672c \u{1F600}.txt',
      'a/b/c/d/e',
    ];
    for (const k of keys) {
      const r = await emu.send(new PutObjectCommand({ Bucket: 'demo', Key: k, Body: `hello ${k}` }));
      // (a) listed over /v1 within a second of the put
      await v1Until(dev.httpPort, has(k, unquote(r.ETag)));
    }
    const over = await emu.send(
      new PutObjectCommand({ Bucket: 'demo', Key: 'with space.txt', Body: 'overwritten, longer' }),
    );
    await v1Until(dev.httpPort, has('with space.txt', unquote(over.ETag)));
    await emu.send(
      new CopyObjectCommand({ Bucket: 'demo', Key: 'copies/hello copy.txt', CopySource: 'demo/docs/hello.txt' }),
    );
    await v1Until(dev.httpPort, has('copies/hello copy.txt'));
    await emu.send(new DeleteObjectCommand({ Bucket: 'demo', Key: 'a/b/c/d/e' }));
    await v1Until(dev.httpPort, (rows) => !has('a/b/c/d/e')(rows));

    const fromEmulator = (await sdkListing(emu)).sort(byBytes);
    expect(fromEmulator.map((r) => r.key).sort()).toEqual(
      [...keys.filter((k) => k !== 'a/b/c/d/e'), 'copies/hello copy.txt'].sort(),
    );
    expect(fromEmulator.find((r) => r.key === 'with space.txt')).toEqual({
      key: 'with space.txt',
      size: Buffer.byteLength('overwritten, longer'),
      etag: unquote(over.ETag),
    });
    // (a) the JSON listing is the emulator's, in byte order
    expect(await v1Listing(dev.httpPort)).toEqual(fromEmulator);
    // (b) ListObjectsV2 of the index's S3 endpoint, read by the AWS SDK
    const index = s3Client(`http://127.0.0.1:${dev.httpPort}/s3`);
    expect(await sdkListing(index)).toEqual(fromEmulator);
    // (c) RESP: the bucket's keys zset
    const redis = new Redis(dev.respPort, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    expect(await redis.zrangebylex('s3idx:{demo}:keys', '-', '+')).toEqual(fromEmulator.map((r) => r.key));
    redis.disconnect();

    // (d) the AWS CLI, with whatever credentials it has
    if (withAws) {
      const file = path.join(cwd, 'upload.txt');
      fs.writeFileSync(file, 'from the aws cli\n');
      const endpoint = ['--endpoint-url', `http://127.0.0.1:${dev.emulatorPort}`];
      const cp = await awsCli([...endpoint, 's3', 'cp', file, 's3://demo/cli/x y.txt'], cwd);
      expect(cp).toMatchObject({ code: 0 });
      const rows = await v1Until(dev.httpPort, has('cli/x y.txt'));
      expect(rows.find((r) => r.key === 'cli/x y.txt')?.size).toBe(Buffer.byteLength('from the aws cli\n'));
      const ls = await awsCli(
        ['--endpoint-url', `http://127.0.0.1:${dev.httpPort}/s3`, 's3', 'ls', 's3://demo/cli/', '--recursive'],
        cwd,
      );
      expect(ls).toMatchObject({ code: 0 });
      expect(ls.stdout).toContain('cli/x y.txt');
      const rm = await awsCli([...endpoint, 's3', 'rm', 's3://demo/cli/x y.txt'], cwd);
      expect(rm).toMatchObject({ code: 0 });
      await v1Until(dev.httpPort, (r) => !has('cli/x y.txt')(r));
    }
    expect(await v1Listing(dev.httpPort)).toEqual(fromEmulator);
    emu.destroy();
    index.destroy();

    // Ctrl-C: both stop, exit 0
    expect(await stopDev(dev)).toEqual({ code: 0, signal: null });
    expect(dev.stderr()).toContain('SIGINT received');
    expect(dev.stderr()).not.toMatch(/\n\s+at /);
    expect(await portOpen(dev.emulatorPort)).toBe(false);
    // its state is kept under the working directory
    expect(fs.existsSync(path.join(cwd, '.s3-index', 'data'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, '.s3-index', 's3'))).toBe(true);

    // a restart in the same directory: the index and the objects are still there
    dev = await startDev(cwd);
    expect(await v1Listing(dev.httpPort)).toEqual(fromEmulator);
    emu = s3Client(`http://127.0.0.1:${dev.emulatorPort}`);
    expect((await sdkListing(emu)).sort(byBytes)).toEqual(fromEmulator);
    const body = await emu.send(new GetObjectCommand({ Bucket: 'demo', Key: 'with space.txt' }));
    expect(await body.Body!.transformToString()).toBe('overwritten, longer');
    // an overwrite after the restart wins (its sequencer is above the first run's), a new put is indexed
    const again = await emu.send(new PutObjectCommand({ Bucket: 'demo', Key: 'with space.txt', Body: 'third' }));
    const fresh = await emu.send(new PutObjectCommand({ Bucket: 'demo', Key: 'after restart', Body: 'new' }));
    await v1Until(
      dev.httpPort,
      (rows) => has('with space.txt', unquote(again.ETag))(rows) && has('after restart', unquote(fresh.ETag))(rows),
    );
    const final = (await sdkListing(emu)).sort(byBytes);
    expect(await v1Listing(dev.httpPort)).toEqual(final);
    expect(final.find((r) => r.key === 'with space.txt')?.size).toBe(5);
    emu.destroy();
    expect(await stopDev(dev)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('--no-emulator starts serve alone: the banner says off and nothing listens on the emulator port', async () => {
    const cwd = tempCwd();
    // ports picked here: the test looks at the emulator's port, which a dev without emulator never names
    const dev = await spawnDev(cwd, { args: ['--no-emulator'], ports: {} });
    await untilLine(dev, /HTTP API on [\s\S]*S3 emulator +off/);
    expect(await portOpen(dev.emulatorPort)).toBe(false);
    const res = await fetch(`http://127.0.0.1:${dev.httpPort}/healthz`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(await stopDev(dev)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('an emulator port in use: one line saying so, exit 1, and neither server left running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const cwd = tempCwd();
      const dev = await spawnDev(cwd, { ports: { emulator: busy } });
      const timer = setTimeout(() => dev.proc.kill('SIGKILL'), 30_000);
      const how = await dev.exited;
      clearTimeout(timer);
      expect(how).toEqual({ code: 1, signal: null });
      expect(dev.stderr()).not.toContain('HTTP API on');
      expect(await portOpen(dev.httpPort)).toBe(false);
      expect(await portOpen(dev.respPort)).toBe(false);
      // the data directory was released: a start in the same directory (emulator port free now) works
      const next = await startDev(cwd);
      expect(await stopDev(next)).toEqual({ code: 0, signal: null });
      // s3rver's listen() alone never rejects on EADDRINUSE (an unhandled 'error' event: a crash with a stack
      // trace); the emulator listens with the error handled, so dev says it in one line
      const emulatorLines = dev
        .stderr()
        .split('\n')
        .filter((l) => /emulator|EADDRINUSE/i.test(l));
      expect(emulatorLines).toEqual([
        `s3-index: the S3 emulator's port ${busy} is in use (--emulator-port, or --no-emulator)`,
      ]);
      expect(dev.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  }, 60_000);

  it('--bucket a --bucket b creates both buckets in the emulator, and each is indexed', async () => {
    const cwd = tempCwd();
    const dev = await startDev(cwd, ['--bucket', 'alpha-1', '--bucket', 'beta-2']);
    expect(dev.stderr()).toMatch(/buckets: alpha-1, beta-2/);
    const emu = s3Client(`http://127.0.0.1:${dev.emulatorPort}`);
    const buckets = await emu.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name).sort()).toEqual(['alpha-1', 'beta-2']);
    await emu.send(new PutObjectCommand({ Bucket: 'alpha-1', Key: 'in a', Body: 'a' }));
    await emu.send(new PutObjectCommand({ Bucket: 'beta-2', Key: 'in b', Body: 'bb' }));
    expect(await v1Listing(dev.httpPort, 'alpha-1')).toEqual(await sdkListing(emu, 'alpha-1'));
    expect(await v1Listing(dev.httpPort, 'beta-2')).toEqual(await sdkListing(emu, 'beta-2'));
    expect((await v1Listing(dev.httpPort, 'beta-2')).map((r) => r.key)).toEqual(['in b']);
    emu.destroy();
    expect(await stopDev(dev)).toEqual({ code: 0, signal: null });
  }, 60_000);
});
