/**
 * HTTP API benchmark on a 1M-object index (keys from /work/shared/bench/genkeys.mjs, as the index benchmark):
 *   1. autocannon (a separate process, 50 connections, 30 s) against
 *      GET /v1/buckets/b/objects?prefix=logs/api/2024/&max-keys=1000 — throughput, p50/p99, errors;
 *   2. the full NDJSON export of every key (`Accept: application/x-ndjson`), read by curl in a separate process,
 *      against what real S3 needs for the same listing (1000 sequential pages at ≥ 82 ms each).
 * The server is the same app and Node adapter `s3-index serve` uses, on a loopback port.
 *
 *   npx esbuild --bundle --platform=node --target=node20 --packages=external bench/http/http-bench.ts \
 *     --outfile=dist/http-bench.js && node dist/http-bench.js [N=1000000] [seconds=30] [connections=50]
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { systemClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { startHttpServer } from '../../src/http/node-server';
import { S3Index } from '../../src/index/s3-index';
import { applyIndexOp, DEFAULT_LIMITS } from '../../src/index/store';
import { createEngine } from '../../src/service/create-engine';

const BUCKET = 'bench-bucket';
const PAGE_QUERY = 'prefix=logs/api/2024/&max-keys=1000';
/** AWS's own s3-fast-list on a large EC2 instance: the best case for one sequential LIST page */
const S3_MS_PER_PAGE = 82;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

/** Loads N generated objects into the index through the store's write path (one put per object). */
function load(index: S3Index, n: number): number {
  const tsv = execFileSync(
    'node',
    [path.resolve(process.env.S3_INDEX_SHARED_BENCH ?? '/work/shared/bench', 'genkeys.mjs'), String(n), '42'],
    {
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    },
  );
  const scope = index.scope();
  let seq = 0;
  let loaded = 0;
  for (const line of tsv.split('\n')) {
    if (line === '') continue;
    const [key, size, etag, lastModified, storageClass] = line.split('\t') as [string, string, string, string, string];
    seq++;
    const version = {
      sequencer: seq.toString(16).toUpperCase().padStart(18, '0'),
      deleteMarker: false,
      size: Number(size),
      etag,
      lastModified: Number(lastModified),
      storageClass,
    };
    if (applyIndexOp(scope, { op: 'put', bucket: BUCKET, key, version }, DEFAULT_LIMITS) === 'applied') loaded++;
  }
  return loaded;
}

export async function benchHttp(n: number, seconds: number, connections: number): Promise<string[]> {
  const engine = createEngine({ clock: systemClock });
  const index = new S3Index(engine);
  let t = performance.now();
  const objects = load(index, n);
  const loadMs = performance.now() - t;

  const app = createApp({ engine, index, config: httpConfig(), clock: systemClock });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const pageUrl = `${base}/v1/buckets/${BUCKET}/objects?${PAGE_QUERY}`;
    const first = (await (await fetch(pageUrl)).json()) as { keyCount: number };
    if (first.keyCount !== 1000) throw new Error(`expected a 1000-key page, got ${first.keyCount}`);

    const autocannon = path.resolve('node_modules/autocannon/autocannon.js');
    const ac = JSON.parse(
      await run('node', [autocannon, '-c', String(connections), '-d', String(seconds), '-j', pageUrl]),
    ) as AutocannonResult;

    const exportUrl = `${base}/v1/buckets/${BUCKET}/objects`;
    const exports: Array<{ seconds: number; bytes: number; status: string }> = [];
    for (let i = 0; i < 3; i++) {
      const out = await run('curl', [
        '-s',
        '-H',
        'Accept: application/x-ndjson',
        '-o',
        '/dev/null',
        '-w',
        '%{time_total} %{size_download} %{http_code}',
        exportUrl,
      ]);
      const [secs, bytes, status] = out.trim().split(' ') as [string, string, string];
      exports.push({ seconds: Number(secs), bytes: Number(bytes), status });
    }
    t = performance.now();
    let lines = 0;
    const res = await fetch(exportUrl, { headers: { accept: 'application/x-ndjson' } });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (const b of chunk) if (b === 10) lines++;
    }
    if (lines !== objects) throw new Error(`NDJSON export has ${lines} lines for ${objects} objects`);

    const best = exports.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const s3Seconds = (Math.ceil(objects / 1000) * S3_MS_PER_PAGE) / 1000;
    return [
      `### HTTP API — ${objects.toLocaleString('en')} objects (loaded in ${(loadMs / 1000).toFixed(1)} s), node ${process.version}`,
      '',
      `GET /v1/buckets/{b}/objects?${PAGE_QUERY} — autocannon, ${connections} connections, ${seconds} s:`,
      '',
      '| requests/s | p50 ms | p99 ms | max ms | MB/s | requests | errors | non-2xx |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${ac.requests.average.toFixed(0)} | ${ac.latency.p50} | ${ac.latency.p99} | ${ac.latency.max} | ${(ac.throughput.average / 1e6).toFixed(1)} | ${ac.requests.total} | ${ac.errors + ac.timeouts} | ${ac.non2xx} |`,
      '',
      'Full NDJSON export (`Accept: application/x-ndjson`, curl):',
      '',
      '| run | seconds | MB | HTTP | vs real S3 (1000-key pages × 82 ms) |',
      '| --- | --- | --- | --- | --- |',
      ...exports.map(
        (e, i) =>
          `| ${i + 1} | ${e.seconds.toFixed(2)} | ${(e.bytes / 1e6).toFixed(0)} | ${e.status} | ${(s3Seconds / e.seconds).toFixed(0)}× faster (${s3Seconds.toFixed(0)} s) |`,
      ),
      '',
      `best export: ${best.seconds.toFixed(2)} s (goal < 2 s); ${lines.toLocaleString('en')} lines verified`,
    ];
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const seconds = Number(process.argv[3] ?? 30);
  const connections = Number(process.argv[4] ?? 50);
  benchHttp(n, seconds, connections).then(
    (lines) => process.stdout.write(`${lines.join('\n')}\n`),
    (err: unknown) => {
      process.stderr.write(`http bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
