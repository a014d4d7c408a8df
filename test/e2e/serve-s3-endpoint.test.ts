/**
 * `serve --store s3://… --s3-endpoint URL` (the built CLI, a child process) on s3rver with no AWS_ENDPOINT_URL_S3 in
 * its environment: the endpoint comes from the flag, an ingest batch is acknowledged and lands in the bucket; a bad
 * endpoint is refused with one line and exit 2.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli, runServe, type ServeChild, startServeChild } from '../helpers/serve-child';

const S3rver = require('s3rver') as new (
  o: Record<string, unknown>,
) => { run(): Promise<{ port: number }>; close(): Promise<void> };

/** s3rver's credentials, and no endpoint from the environment; through bin/s3-index.js's launcher, as a user runs it */
const serve = {
  env: {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: undefined,
    AWS_ENDPOINT_URL: undefined,
  },
  launcher: true,
};

beforeAll(() => {
  buildCli();
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
  let child: ServeChild | undefined;
  try {
    child = await startServeChild({
      ...serve,
      args: ['--store', 's3://state/idx', '--s3-endpoint', `http://127.0.0.1:${port}`],
    });
    expect(child.stderr()).toMatch(new RegExp(`s3://state/idx at http://127.0.0.1:${port} ignores conditional writes`));
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
    const res = await fetch(`http://127.0.0.1:${child.httpPort}/v1/events`, {
      method: 'POST',
      body: JSON.stringify([event]),
    });
    expect(res.status).toBe(200);
    expect((await child.kill('SIGTERM')).code).toBe(0);
    // the manifest is in s3rver's directory (it keeps objects as files under the bucket)
    const files = execFileSync('find', [dir], { encoding: 'utf8' });
    expect(files).toMatch(/idx\/manifest\.json/);
  } finally {
    await child?.kill();
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

it('a --s3-endpoint that is not an http(s) URL: one line, exit 2', async () => {
  const { code, stderr } = await runServe({
    ...serve,
    args: ['--store', 's3://state/idx', '--s3-endpoint', 'ftp://x'],
  });
  expect(code).toBe(2);
  expect(stderr).toMatch(/s3-index: --s3-endpoint: 'ftp:\/\/x' is not an http:\/\/ or https:\/\/ URL\n/);
});
