/**
 * `npm run bench:local` (issue 21): what read-your-writes costs in `s3-index dev` (npm start). A PutObject to the
 * local S3 is answered once the index has applied the change and made it durable (the log in .s3-index/data), so
 * the next listing shows it; this measures that PUT against the same PUT to s3rver alone, and how long after the
 * PUT's answer the key is listed by GET /v1 (0: already there).
 *
 *   BENCH_PUTS (default 300) sequential 1 KiB PutObjects through @aws-sdk/client-s3, after 20 warm-up PUTs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './lib/child-processes';

const ROOT = path.resolve(__dirname, '..');
const PUTS = Number(process.env.BENCH_PUTS ?? 300);
const BODY = Buffer.alloc(1024, 'x');

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

async function waitFor(url: string, deadline = Date.now() + 20_000): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

const pct = (xs: number[], p: number): number => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

async function timePuts(s3: S3Client, bucket: string, tag: string, after?: (key: string) => Promise<number>) {
  const put = (key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: BODY }));
  for (let i = 0; i < 20; i++) await put(`warm/${tag}/${i}`);
  const ms: number[] = [];
  const lag: number[] = [];
  for (let i = 0; i < PUTS; i++) {
    const key = `bench/${tag}/${String(i).padStart(6, '0')} file+${i}.txt`;
    const t0 = performance.now();
    await put(key);
    ms.push(performance.now() - t0);
    if (after !== undefined) lag.push(await after(key));
  }
  return { ms, lag };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-local-bench-'));
  // s3rver alone, in this process
  const S3rver = require('s3rver') as new (
    o: Record<string, unknown>,
  ) => {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  const plain = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(work, 'plain') });
  const { port } = await plain.run();
  const plainClient = client(`http://127.0.0.1:${port}`);
  await plainClient.send(new CreateBucketCommand({ Bucket: 'demo' }));
  const alone = await timePuts(plainClient, 'demo', 'alone');
  plainClient.destroy();
  await plain.close();

  // s3-index dev, as npm start runs it (built CLI, its own process)
  const [http, resp, emu] = [await freePort(), await freePort(), await freePort()];
  const dev: ChildProcess = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/s3-index.js'),
      'dev',
      '--http-port',
      String(http),
      '--resp-port',
      String(resp),
      '--emulator-port',
      String(emu),
    ],
    { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitFor(`http://127.0.0.1:${http}/healthz`);
    await waitFor(`http://127.0.0.1:${emu}/`);
    const devClient = client(`http://127.0.0.1:${emu}`);
    /** how many GET /v1 it takes to see the key (1: listed as soon as the PUT was answered) */
    const listed = async (key: string): Promise<number> => {
      const t0 = performance.now();
      for (let gets = 1; ; gets++) {
        const q = new URLSearchParams({ prefix: key, 'max-keys': '1' });
        const page = (await (await fetch(`http://127.0.0.1:${http}/v1/buckets/demo/objects?${q}`)).json()) as {
          objects: Array<{ key: string }>;
        };
        if (page.objects[0]?.key === key) return gets;
        if (performance.now() - t0 > 5000) throw new Error(`${key} not listed after 5 s`);
      }
    };
    const indexed = await timePuts(devClient, 'demo', 'dev', listed);
    devClient.destroy();
    const row = (name: string, xs: number[]) =>
      `| ${name} | ${pct(xs, 0.5).toFixed(2)} | ${pct(xs, 0.9).toFixed(2)} | ${pct(xs, 0.99).toFixed(2)} |`;
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${PUTS} sequential 1 KiB PutObjects each`);
    console.log('| PutObject (ms) | p50 | p90 | p99 |\n|---|---:|---:|---:|');
    console.log(row('s3rver alone', alone.ms));
    console.log(row('s3-index dev (indexed and logged before the answer)', indexed.ms));
    const first = indexed.lag.filter((gets) => gets === 1).length;
    console.log(`listed by the first GET /v1 after the PUT's answer: ${first} of ${PUTS}`);
  } finally {
    dev.kill('SIGINT');
    await new Promise((r) => dev.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
