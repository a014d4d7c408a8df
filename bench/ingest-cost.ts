/**
 * `npm run bench:ingest-cost` (issue 20): what the cost estimate in docs/deploy.md is computed from — the ingest
 * function's time and CPU per event, its log bytes per event, and the compact function's time and snapshot bytes
 * per object, measured on the handlers bundled as deployed (esbuild of src/handlers/*.ts), in this process.
 *
 * The store is a local directory (S3_INDEX_STORE=file:DIR): what is measured is the function's own work (parse,
 * apply, encode, commit protocol), not S3's latency, which adds about one PUT and one conditional GET per batch on
 * AWS (tens of ms per batch of 1,000; see the note printed at the end).
 *
 *   1. BENCH_PREFILL objects (default 200,000) ingested as SQS batches of 1,000 EventBridge events, then a compact;
 *   2. BENCH_BATCHES more batches of 1,000 (default 100) on that index: wall ms and CPU ms per batch;
 *   3. a compact of the whole index: wall ms and snapshot bytes per object.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { objectCreatedEvent } from './lib/events';
import { genKeys } from './lib/redis';

const ROOT = path.resolve(__dirname, '..');
const PREFILL = Number(process.env.BENCH_PREFILL ?? 200_000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 100);
const BATCH = 1000;

interface SqsEvent {
  Records: Array<{ messageId: string; body: string }>;
}
type Ingest = (e: SqsEvent) => Promise<{ batchItemFailures: unknown[] }>;
type Compact = () => Promise<{ snapshot?: string; bytes?: number; deleted: number }>;

function bundle(dir: string, name: string, source: string): string {
  const out = path.join(dir, `${name}.js`);
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [
      source,
      '--bundle',
      '--minify',
      '--platform=node',
      '--target=node20',
      '--format=cjs',
      '--log-level=warning',
      `--outfile=${out}`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return out;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-ingest-cost-'));
  const store = path.join(work, 'store');
  fs.mkdirSync(store);
  Object.assign(process.env, {
    S3_INDEX_STORE: `file:${store}`,
    S3_INDEX_GC_GRACE_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const ingest = require(bundle(work, 'ingest', 'src/handlers/ingest.ts')).handler as Ingest;
  // one container for both (they share the runtime module only within a bundle: compact restores on its own)
  const compact = require(bundle(work, 'compact', 'src/handlers/compact.ts')).handler as Compact;

  const total = PREFILL + BATCHES * BATCH;
  const { rows } = genKeys(total, 42);
  let seq = 0;
  const batchOf = (from: number): SqsEvent => ({
    Records: rows.slice(from, from + BATCH).map((r, i) => {
      seq++;
      const body = JSON.stringify(
        objectCreatedEvent({
          id: `e${from + i}`,
          bucket: 'bench-bucket',
          key: r.key,
          size: r.size,
          etag: r.etag,
          time: r.mtime,
          sequencer: seq.toString(16).toUpperCase().padStart(18, '0'),
          storage: r.storageClass,
        }),
      );
      return { messageId: `m${from + i}`, body };
    }),
  });

  const t0 = Date.now();
  for (let from = 0; from < PREFILL; from += BATCH) {
    const out = await ingest(batchOf(from));
    if (out.batchItemFailures.length > 0) throw new Error('prefill batch failed');
  }
  const prefillMs = Date.now() - t0;
  await compact();
  const before = dirBytes(store);

  const walls: number[] = [];
  const cpus: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const event = batchOf(PREFILL + b * BATCH);
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    const out = await ingest(event);
    const w1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    if (out.batchItemFailures.length > 0) throw new Error('batch failed');
    walls.push(Number(w1 - w0) / 1e6);
    cpus.push((c1.user + c1.system) / 1000);
  }
  const logBytes = dirBytes(store) - before;

  const c0 = Date.now();
  const cpu0 = process.cpuUsage();
  const snap = await compact();
  const compactMs = Date.now() - c0;
  const compactCpu = process.cpuUsage(cpu0);
  const sorted = (xs: number[]) => xs.slice().sort((a, b) => a - b);
  const med = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
  const p95 = (xs: number[]) => sorted(xs)[Math.floor(xs.length * 0.95)]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  console.log(`node ${process.version}, ${os.cpus().length} cores; index of ${total.toLocaleString('en-US')} objects`);
  console.log(`prefill: ${PREFILL.toLocaleString('en-US')} events in ${prefillMs} ms`);
  console.log(`ingest batch of ${BATCH} events (${BATCHES} batches on the prefilled index):`);
  console.log(
    `  wall   median ${med(walls).toFixed(1)} ms, p95 ${p95(walls).toFixed(1)} ms, mean ${mean(walls).toFixed(1)}`,
  );
  console.log(
    `  CPU    mean ${mean(cpus).toFixed(1)} ms per batch = ${((mean(cpus) / BATCH) * 1000).toFixed(1)} µs/event`,
  );
  console.log(`  log    ${(logBytes / (BATCHES * BATCH)).toFixed(1)} bytes/event (committed log segments)`);
  console.log(
    `compact of ${total.toLocaleString('en-US')} objects: ${compactMs} ms wall, ` +
      `${((compactCpu.user + compactCpu.system) / 1000).toFixed(0)} ms CPU (restore was warm: this container)`,
  );
  console.log(
    `  snapshot ${snap.bytes?.toLocaleString('en-US')} bytes = ${((snap.bytes ?? 0) / total).toFixed(1)} bytes/object`,
  );
  console.log(`  RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB (this process: both bundles' runtimes)`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
