/**
 * `npm run offline` (scripts/offline.mjs, docs/local.md): serverless-offline runs the deployment's functions, the
 * local S3 feeds ingest through serverless-offline's Lambda API, the index's store is kept on disk. One put into
 * the emulator is listed by the api function over HTTP; after a stop and a restart on the same directories it is
 * still listed (restored from the store, not re-ingested).
 *
 * The script runs in the checkout with free ports and its directories (objects, store, serverless staging) in a
 * temporary directory. Mandatory when CI=true; skipped with a reason when serverless is not installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../helpers/redis-server';

const root = path.join(__dirname, '../..');
const needed = ['node_modules/serverless/bin/serverless.js', 'node_modules/serverless-offline/package.json'];
const absent = needed.filter((f) => !fs.existsSync(path.join(root, f)));
const missing = absent.length > 0 ? `${absent.join(', ')} not installed (npm install)` : undefined;
if (missing !== undefined && process.env.CI === 'true')
  throw new Error(`the offline test is mandatory in CI: ${missing}`);
if (missing !== undefined) console.warn(`SKIPPED test/e2e/offline: ${missing}`);
const describeOffline = missing === undefined ? describe : describe.skip;

interface Offline {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dir = '';
let ports = { emulator: 0, http: 0, lambda: 0 };
const running = new Set<Offline>();

function startOffline(): Offline {
  const proc = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      'scripts/offline.mjs',
      '--emulator-port',
      String(ports.emulator),
      '--http-port',
      String(ports.http),
      '--lambda-port',
      String(ports.lambda),
      '--emulator-dir',
      path.join(dir, 's3'),
      '--store-dir',
      path.join(dir, 'store'),
      '--build-dir',
      path.join(dir, 'sls'),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  proc.stdout!.on('data', (c) => {
    text += c;
  });
  proc.stderr!.on('data', (c) => {
    text += c;
  });
  const offline: Offline = {
    proc,
    output: () => text,
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  running.add(offline);
  void offline.exited.then(() => running.delete(offline));
  return offline;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, o?: Offline): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (o !== undefined && (o.proc.exitCode !== null || o.proc.signalCode !== null))
      throw new Error(`npm run offline exited while waiting for ${what}:\n${o.output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${o !== undefined ? `:\n${o.output().slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function ready(o: Offline): Promise<number> {
  const started = Date.now();
  await until('"ready"', 90_000, async () => (/offline: ready in/.test(o.output()) ? true : undefined), o);
  return Date.now() - started;
}

async function listedKeys(): Promise<string[] | undefined> {
  const res = await fetch(`http://127.0.0.1:${ports.http}/v1/buckets/demo/objects`);
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { objects: Array<{ key: string }> };
  return body.objects.map((o) => o.key);
}

async function stop(o: Offline): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  o.proc.kill('SIGINT');
  const timer = setTimeout(() => o.proc.kill('SIGKILL'), 30_000);
  const exit = await o.exited;
  clearTimeout(timer);
  return exit;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-offline-'));
  ports = { emulator: await freePort(), http: await freePort(), lambda: await freePort() };
});

afterAll(async () => {
  await Promise.all([...running].map(stop));
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

describeOffline('npm run offline', () => {
  test('a put into the emulator is listed by the api function, and still after a restart', async () => {
    const first = startOffline();
    const startMs = await ready(first);
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${ports.emulator}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const putStarted = Date.now();
    await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: 'docs/hello.txt', Body: 'hello\n' }));
    s3.destroy();
    const keys = await until(
      'the listing',
      20_000,
      async () => {
        const k = await listedKeys();
        return k?.includes('docs/hello.txt') ? k : undefined;
      },
      first,
    );
    expect(keys).toEqual(['docs/hello.txt']);
    const listedMs = Date.now() - putStarted;
    expect(await stop(first)).toEqual({ code: 0, signal: null });
    // the serverless child stopped too: its HTTP port is free again
    await expect(fetch(`http://127.0.0.1:${ports.http}/healthz`)).rejects.toThrow();

    const second = startOffline();
    const restartMs = await ready(second);
    expect(await listedKeys()).toEqual(['docs/hello.txt']);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
    console.log(
      `npm run offline: ready in ${startMs} ms, put → listed in ${listedMs} ms, restart ready in ${restartMs} ms`,
    );
  }, 200_000);
});
