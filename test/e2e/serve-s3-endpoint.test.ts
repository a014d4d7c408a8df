/**
 * `serve --store s3://… --s3-endpoint URL` (the built CLI, a child process) on s3rver with no AWS_ENDPOINT_URL_S3 in
 * its environment: the endpoint comes from the flag, an ingest batch is acknowledged and lands in the bucket; a bad
 * endpoint is refused with one line and exit 2.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../helpers/redis-server';

const root = path.join(__dirname, '../..');
const S3rver = require('s3rver') as new (
  o: Record<string, unknown>,
) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    S3_INDEX_API_TOKENS: '',
  };
  delete e.AWS_ENDPOINT_URL_S3;
  delete e.AWS_ENDPOINT_URL;
  return e;
};

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}, 120_000);

it('--s3-endpoint alone points the store at s3rver', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-endpoint-'));
  const s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'state' }],
  });
  const { port } = await s3.run();
  const respPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === respPort) httpPort = await freePort();
  const proc = spawn(
    process.execPath,
    [
      'bin/s3-index.js',
      'serve',
      '--resp-port',
      String(respPort),
      '--http-port',
      String(httpPort),
      '--store',
      's3://state/idx',
      '--s3-endpoint',
      `http://127.0.0.1:${port}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: env() },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', r));
  try {
    await waitForPort(httpPort, 20_000);
    const deadline = Date.now() + 20_000;
    while (
      (await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > deadline) throw new Error(`not healthy: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(err).toMatch(new RegExp(`s3://state/idx at http://127.0.0.1:${port} ignores conditional writes`));
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '1',
      time: '2024-05-01T12:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::b'],
      detail: { version: '0', bucket: { name: 'b' }, object: { key: 'k', size: 1, etag: 'e', sequencer: '01' } },
    };
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/events`, {
      method: 'POST',
      body: JSON.stringify([event]),
    });
    expect(res.status).toBe(200);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    // the manifest is in s3rver's directory (it keeps objects as files under the bucket)
    const files = execFileSync('find', [dir], { encoding: 'utf8' });
    expect(files).toMatch(/idx\/manifest\.json/);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

it('a --s3-endpoint that is not an http(s) URL: one line, exit 2', () => {
  let code = 0;
  let stderr = '';
  try {
    execFileSync(
      process.execPath,
      ['bin/s3-index.js', 'serve', '--store', 's3://state/idx', '--s3-endpoint', 'ftp://x'],
      {
        cwd: root,
        env: env(),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } catch (e) {
    code = (e as { status: number }).status;
    stderr = String((e as { stderr: Buffer }).stderr);
  }
  expect(code).toBe(2);
  expect(stderr).toMatch(/s3-index: --s3-endpoint: 'ftp:\/\/x' is not an http:\/\/ or https:\/\/ URL\n/);
});
