/**
 * `npm run bench:backfill` (issue 22): objects per second crawled from s3rver by src/backfill/crawl.ts at
 * concurrency 1, 8 and 32, against the sequential ListObjectsV2 loop (continuation tokens, one page after the other:
 * what listing a bucket costs without an index) on the same server, same data.
 *
 * s3rver runs in a child process (with --openssl-legacy-provider, which its continuation tokens need), its objects
 * written straight into its directory layout: BENCH_OBJECTS (default 20,000, ~50,000 objects with the folders' own) keys from bench/data/genkeys.mjs
 * (realistic layouts, ~53 bytes average), every folder holding an object of its own (s3rver leaves a folder that
 * holds only folders out of a delimiter listing; real S3 does not). Each figure is the median of 3 runs.
 * s3rver answers a page in milliseconds where S3 takes 0.1-0.7 s, so on S3 the parallel crawl gains far more than
 * here: the ratio shown is a floor.
 *
 * s3rver is also the bottleneck: one process doing ~1 ms of synchronous filesystem work per key (a stat and two
 * reads), so it serves one page at a time whatever the concurrency. The second server, s3-index's own /s3 route (a
 * `serve` child process holding the same keys, S3's byte order, pages served from memory), stands in for S3's side:
 * a server that is not the bottleneck, with the same simulated latency. BENCH_SERVERS=s3rver,s3-index picks them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { crawl } from '../../src/backfill/crawl';
import { genKeys } from '../lib/redis';

const N = Number(process.env.BENCH_OBJECTS ?? 20_000);
const BUCKET = 'bench';
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
/** the simulated latencies to run (BENCH_LATENCIES, comma-separated ms; default 0 and BENCH_LATENCY_MS) */
const LATENCIES = (process.env.BENCH_LATENCIES ?? `0,${LATENCY_MS}`).split(',').map(Number);
const STRATEGIES = (process.env.BENCH_STRATEGIES ?? 'ranges,folders').split(',') as Array<'ranges' | 'folders'>;
const SERVERS = (process.env.BENCH_SERVERS ?? 's3rver,s3-index').split(',');

function populate(root: string): string[] {
  const keys = new Set<string>();
  for (const r of genKeys(N, 42).rows) {
    // s3rver refuses empty path segments; real S3 takes them
    if (r.key.split('/').some((p) => p === '')) continue;
    keys.add(r.key);
    const parts = r.key.split('/');
    for (let i = 1; i < parts.length; i++) keys.add(`${parts.slice(0, i).join('/')}/index.html`);
  }
  const made = new Set<string>();
  for (const key of keys) {
    const body = Buffer.from(key);
    const parts = key.split('/');
    const last = parts.pop()!;
    const dir = path.join(root, BUCKET, ...parts);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const file = path.join(dir, `${last}._S3rver_object`);
    fs.writeFileSync(file, body);
    fs.writeFileSync(`${file}.md5`, createHash('md5').update(body).digest('hex'));
  }
  return [...keys];
}

function startS3rver(directory: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const script = `const S=require('s3rver');new S({port:0,address:'127.0.0.1',silent:true,directory:${JSON.stringify(
    directory,
  )}}).run().then(a=>console.log('PORT '+a.port))`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, endpoint: `http://127.0.0.1:${m[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
  });
}

async function sequential(client: S3Client): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }),
    );
    n += page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return n;
}

/** ListObjectsV2 requests made (the last run of a figure's three) */
let requests = 0;

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `s3-index serve` (the built CLI) on free ports, in memory; resolves with its HTTP base URL. */
function startServe(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    [path.resolve(__dirname, '../bin/s3-index.js'), 'serve', '--resp-port', '0', '--http-port', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, S3_INDEX_API_TOKENS: '' } },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /HTTP API on (http:\/\/[^\s]+)/.exec(err);
      if (m) resolve({ child, base: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** The keys into the server's index (S3IDX.BACKFILL through /redis), sizes and ETags as s3rver has them. */
async function load(base: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 2000) {
    const argv = ['S3IDX.BACKFILL', BUCKET, String(Date.now())];
    for (const k of keys.slice(i, i + 2000)) {
      const body = Buffer.from(k);
      argv.push(k, String(body.length), createHash('md5').update(body).digest('hex'), '1700000000000', 'STANDARD');
    }
    const res = await fetch(`${base}/redis`, { method: 'POST', body: JSON.stringify(argv) });
    if (res.status !== 200) throw new Error(`loading the index: HTTP ${res.status} ${await res.text()}`);
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-crawl-bench-'));
  const keys = populate(dir);
  for (const server of SERVERS) {
    if (server === 's3rver') {
      const { child, endpoint } = await startS3rver(dir);
      try {
        await runServer('s3rver (child process)', endpoint, keys.length);
      } finally {
        child.kill();
      }
    } else if (server === 's3-index') {
      const { child, base } = await startServe();
      try {
        await load(base, keys);
        await runServer("s3-index's /s3 route (a serve child process)", `${base}/s3`, keys.length);
      } finally {
        child.kill();
      }
    } else throw new Error(`BENCH_SERVERS: unknown server ${server}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

async function runServer(name: string, endpoint: string, total: number): Promise<void> {
  const makeClient = (latencyMs: number): S3Client => {
    const c = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    c.middlewareStack.add(
      (next) => async (args) => {
        requests++;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    // S3's own latency per ListObjectsV2 (0.1-0.7 s), which s3rver on loopback does not have
    if (latencyMs > 0)
      c.middlewareStack.add(
        (next) => async (args) => {
          await new Promise((r) => setTimeout(r, latencyMs));
          return next(args);
        },
        { step: 'finalizeRequest', name: 'simulatedS3Latency' },
      );
    return c;
  };
  for (const latency of LATENCIES) {
    const client = makeClient(latency);
    try {
      console.log(`\n${name}${latency === 0 ? ', as it is' : `, plus ${latency} ms per request (S3's latency)`}:`);
      await table(client, total, latency);
    } finally {
      client.destroy();
    }
  }
}

async function table(client: S3Client, total: number, latencyMs: number): Promise<void> {
  {
    const rows: Array<[string, number, number, number]> = [];
    const timeIt = async (fn: () => Promise<number>): Promise<[number, number]> => {
      const ms: number[] = [];
      let count = 0;
      for (let i = 0; i < 3; i++) {
        requests = 0;
        const t0 = performance.now();
        count = await fn();
        ms.push(performance.now() - t0);
      }
      return [count, median(ms)];
    };
    console.error(`${total} objects; sequential listing…`);
    const [seqCount, seqMs] = await timeIt(() => sequential(client));
    console.error(`sequential: ${seqCount} in ${Math.round(seqMs)} ms`);
    rows.push(['sequential ListObjectsV2 (continuation tokens)', seqCount, seqMs, requests]);
    // 'folders' makes a request per folder: with added latency it would take minutes per figure
    for (const strategy of STRATEGIES.filter((x) => x === 'ranges' || latencyMs === 0))
      for (const concurrency of [1, 8, 32]) {
        const [count, ms] = await timeIt(async () => {
          let n = 0;
          await crawl({
            client,
            bucket: BUCKET,
            concurrency,
            strategy,
            onPage: (page) => {
              n += page.length;
            },
          });
          return n;
        });
        rows.push([`crawl '${strategy}', concurrency ${concurrency}`, count, ms, requests]);
        console.error(
          `${strategy} concurrency ${concurrency}: ${count} in ${Math.round(ms)} ms (${requests} requests)`,
        );
      }
    console.log(`node ${process.version}, ${os.cpus().length} cores; ${total} objects`);
    console.log(
      '| listing | objects | requests | ms (median of 3) | objects/s | × sequential |\n|---|---:|---:|---:|---:|---:|',
    );
    for (const [name, count, ms, reqs] of rows)
      console.log(
        `| ${name} | ${count} | ${reqs} | ${Math.round(ms)} | ${Math.round((count / ms) * 1000)} | ${(seqMs / ms).toFixed(2)} |`,
      );
    if (rows.some(([, count]) => count !== total))
      console.log(`NOTE: a listing did not return all ${total} objects (s3rver's paged listings can skip keys)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
