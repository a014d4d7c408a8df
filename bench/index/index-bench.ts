/**
 * S3 index benchmark: 1M objects from bench/data/genkeys.mjs ingested as parsed EventBridge events.
 * Measures bytes per indexed object (heap + external growth, after gc), ingest rate, 1000-key page latency (with
 * and without delimiter) and stats latency.
 *
 *   npx esbuild --bundle --platform=node --target=node20 bench/index/index-bench.ts --outfile=/tmp/index-bench.js
 *   node --expose-gc --max-semi-space-size=64 /tmp/index-bench.js [N=1000000] [seed=42] [redis bulk-load objects/s]
 *     [ingest-only]
 * `npm run bench` passes --max-semi-space-size=64, the young generation `s3-index serve` runs with (where
 * S3IDX.INGEST and the HTTP ingest run): without it, scavenges of the 16 MB default young generation take ~15 % more
 * of the ingest time.
 */
import { execFileSync } from 'node:child_process';
import { ManualClock } from '../../src/engine/clock';
import { Engine } from '../../src/engine/engine';
import { renderListPageJson } from '../../src/http/json-list-render';
import { listObjectsV2 } from '../../src/index/list';
import { stats } from '../../src/index/lookup';
import type { IndexScope } from '../../src/index/store';
import { ingest } from '../../src/ingest/apply';
import { parseInput } from '../../src/ingest/parse';
import { S3INDEX_COMMANDS } from '../../src/service/commands/index';
import { GENKEYS } from '../lib/data';
import { objectCreatedEvent } from '../lib/events';

const N = Number(process.argv[2] ?? 1_000_000);
const SEED = process.argv[3] ?? '42';
/** objects/s of redis-server's bulk load of the same data in this run (bench/index/redis-layout.ts), when known */
const REDIS_LOAD = Number(process.argv[4] ?? Number.NaN);
/** `ingest-only`: print the ingest figures and stop (the paired rounds before the last, see bench/main.ts) */
const INGEST_ONLY = process.argv[5] === 'ingest-only';
const BUCKET = 'bench-bucket';
const CHUNK = 10_000;

/** CPU time of this process (the machine is shared: wall-clock times include waiting for a core). */
const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const gc = (globalThis as { gc?: () => void }).gc;
/**
 * Live heap + external bytes. V8 frees dead ArrayBuffers' memory on background sweeper threads after a GC, so a
 * reading right after gc() can still count buffers that are already garbage (leaf buffers replaced while growing),
 * the more so on a busy machine: collect and pause five times and keep the smallest reading (garbage only adds).
 */
function memory(): number {
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    gc?.();
    gc?.();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    const m = process.memoryUsage();
    least = Math.min(least, m.heapUsed + m.external);
  }
  return least;
}

const tsv = execFileSync('node', [GENKEYS, String(N), SEED], { maxBuffer: 1 << 30, encoding: 'utf8' });
const rows = tsv.split('\n').filter((l) => l.length > 0);

/**
 * Events [from, to) as a Lambda handler receives them: JSON.parse of their JSON text (flat strings, one hidden class
 * per shape). Objects built in place would carry the concatenated (cons) strings of their construction, which
 * every validator then flattens: work no delivered event needs.
 */
function parsedBatch(from: number, to: number, seqBase?: number): unknown[] {
  const batch: unknown[] = [];
  for (let i = from; i < Math.min(rows.length, to); i++) batch.push(event(i, seqBase));
  return JSON.parse(JSON.stringify(batch));
}

function event(i: number, seqBase = 0x1000000): unknown {
  const [key, size, etag, t, cls] = rows[i]!.split('\t') as [string, string, string, string, string];
  return objectCreatedEvent({
    id: `e${i}`,
    bucket: BUCKET,
    key,
    size: Number(size),
    etag,
    time: Number(t),
    sequencer: (seqBase + i).toString(16).toUpperCase().padStart(18, '0'),
    storage: cls,
  });
}

const engine = new Engine({ clock: new ManualClock(), extraCommands: S3INDEX_COMMANDS });
const scope: IndexScope = { db: engine.dbs[0]!, now: engine.clock.now() };

const before = INGEST_ONLY ? 0 : memory();
let ingestMs = 0;
let ingestWallMs = 0;
let applied = 0;
// in a function, so that no stack slot can keep the last batch of events alive when memory is measured
(function ingestAll() {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const batch = parsedBatch(start, start + CHUNK);
    const t0 = cpuMicros();
    const w0 = performance.now();
    const o = ingest(scope, batch);
    ingestMs += (cpuMicros() - t0) / 1000;
    ingestWallMs += performance.now() - w0;
    applied += o.applied;
  }
})();
const ingestLine =
  `ingest: ${Math.round(applied / (ingestMs / 1000))} events/s (${ingestMs.toFixed(0)} ms CPU for ${applied}); ` +
  `wall ${Math.round(applied / (ingestWallMs / 1000))} events/s (${ingestWallMs.toFixed(0)} ms)\n`;
if (INGEST_ONLY) {
  process.stdout.write(ingestLine);
  process.exit(0);
}
const after = memory();
const objects = stats(scope, BUCKET);
if (!objects.ok) throw new Error('no bucket');

function time(label: string, iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(200, iterations); i++) fn(i); // warm-up
  const samples: number[] = [];
  const c0 = cpuMicros();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  const cpu = (cpuMicros() - c0) / iterations;
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)]!;
  process.stdout.write(
    `${label.padEnd(66)} cpu/op ${cpu.toFixed(1).padStart(7)} µs   wall p50 ${p50.toFixed(1).padStart(7)} µs\n`,
  );
  return cpu;
}

const sample = (i: number) => rows[(i * 7919) % rows.length]!.split('\t')[0]!;
const semi = process.execArgv.find((a) => a.startsWith('--max-semi-space-size')) ?? 'default young generation';
process.stdout.write(
  `objects ${objects.value.objects} (applied ${applied}), total bytes ${objects.value.bytes} (node ${semi})\n`,
);
process.stdout.write(
  `memory: ${((after - before) / objects.value.objects).toFixed(1)} B/object (heap+external growth, gc'd)\n`,
);
process.stdout.write(ingestLine);
if (REDIS_LOAD > 0) {
  // the goal, 200k/s where redis-server bulk-loads ~105k objects/s, is a ratio of ~1.9 on any machine
  const ratio = (rate: number) => (rate / REDIS_LOAD).toFixed(2);
  process.stdout.write(
    `ingest ÷ redis-server bulk load just before (${Math.round(REDIS_LOAD)} objects/s): ` +
      `${ratio(applied / (ingestMs / 1000))}× CPU time, ${ratio(applied / (ingestWallMs / 1000))}× wall time ` +
      '(goal 200k ÷ 105k ≈ 1.9×)\n',
  );
}

const page = (label: string, opts: (i: number) => Parameters<typeof listObjectsV2>[2], iterations = 500) =>
  time(label, iterations, (i) => {
    const r = listObjectsV2(scope, BUCKET, opts(i));
    if (!r.ok || r.value.keyCount === 0) throw new Error(`empty page for ${label}`);
  });
page('page 1000, delimiter /, prefix "" (4 prefixes)', () => ({ delimiter: '/' }));
page('page 1000, no delimiter, random start', (i) => ({ startAfter: sample(i) }));
page('page 1000, delimiter /, under logs/<app>/<Y>/<M>/<D>/<H>/ (keys)', (i) => {
  const k = sample(i * 13);
  return { prefix: k.slice(0, k.lastIndexOf('/') + 1), delimiter: '/' };
});
page('page 1000, delimiter /, prefix users/ (1000 rolled-up prefixes)', (i) => ({
  prefix: 'users/',
  delimiter: '/',
  startAfter: `users/${String((i * 37) % 40000).padStart(6, '0')}`,
}));
page('page 1000, delimiter /, prefix datalake/events/ (dt= prefixes)', () => ({
  prefix: 'datalake/events/',
  delimiter: '/',
}));
page('page 1000, delimiter /, prefix logs/api/2024/ (months)', () => ({ prefix: 'logs/api/2024/', delimiter: '/' }));
// a folder with ~5,500 files and no sub-folder: a 1000-key page with a delimiter (each key is checked for it)
const WORDS = ['report', 'invoice', 'Résumé final', 'photo', 'scan', 'notes', 'backup', 'draft v2', 'データ'];
const sharedPage = (i: number) => ({
  prefix: 'shared/report/',
  delimiter: '/',
  startAfter: `shared/report/${WORDS[i % 9]}`,
});
page('page 1000, delimiter /, prefix shared/report/ (1000 keys)', sharedPage);
// the same page with every listed field read (the etag is made into hex on first read, see ListedEntry)
let fieldSink = 0;
time('page 1000, delimiter /, prefix shared/report/, every field read', 500, (i) => {
  const r = listObjectsV2(scope, BUCKET, sharedPage(i));
  if (!r.ok || r.value.keyCount === 0) throw new Error('empty page');
  for (const o of r.value.contents) {
    fieldSink += o.key.length + o.size + (o.etag?.length ?? 0) + o.lastModified + o.storageClass.length;
  }
});
if (fieldSink === 0) throw new Error('no fields read');

// The same pages as the HTTP API serves them: /v1 JSON bytes rendered from the leaf bytes (render-json.ts)
const json = (label: string, opts: (i: number) => Parameters<typeof renderListPageJson>[2], iterations = 500) =>
  time(label, iterations, (i) => {
    const r = renderListPageJson(scope, BUCKET, opts(i));
    if (!r.ok || r.value.length < 100) throw new Error(`empty page for ${label}`);
  });
json('JSON page 1000, no delimiter, random start', (i) => ({ startAfter: sample(i), maxKeys: 1000 }));
json('JSON page 1000, delimiter /, prefix shared/report/ (1000 keys)', (i) => ({ ...sharedPage(i), maxKeys: 1000 }));
json('JSON page 1000, delimiter /, prefix users/ (1000 rolled-up prefixes)', (i) => ({
  prefix: 'users/',
  delimiter: '/',
  startAfter: `users/${String((i * 37) % 40000).padStart(6, '0')}`,
  maxKeys: 1000,
}));

const prefixes = ['', 'logs/', 'logs/api/', 'logs/api/2024/', 'datalake/orders/', 'users/012345/', 'shared/'];
time('stats (7 prefixes incl. "" and deep)', 20_000, (i) => {
  const r = stats(scope, BUCKET, prefixes[i % prefixes.length]);
  if (!r.ok) throw new Error('stats');
});
time('stats (random key prefix)', 20_000, (i) => {
  const k = sample(i);
  const r = stats(scope, BUCKET, k.slice(0, 5 + (i % 30)));
  if (!r.ok) throw new Error('stats');
});

// Where the ingest time goes (after every measure above, so they see the index as before):
// parse/validate alone over the same 1M events, and Lambda-sized calls (10 events) of newer versions of 100k
// existing keys (the overwrite path: lookup, sequencer check, payload replaced in place).
{
  let parseMs = 0;
  let parsed = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const batch = parsedBatch(start, start + CHUNK);
    const t0 = cpuMicros();
    parsed += parseInput(batch).length;
    parseMs += (cpuMicros() - t0) / 1000;
  }
  process.stdout.write(
    `ingest parse/validate only: ${Math.round(parsed / (parseMs / 1000))} events/s (${parseMs.toFixed(0)} ms CPU for ${parsed})\n`,
  );
  const M = Math.min(100_000, rows.length);
  const calls: unknown[][] = [];
  for (let start = 0; start < M; start += 10) {
    calls.push(parsedBatch(start, Math.min(M, start + 10), 0x2000000));
  }
  let updated = 0;
  const t0 = cpuMicros();
  for (const batch of calls) updated += ingest(scope, batch).applied;
  const updateMs = (cpuMicros() - t0) / 1000;
  process.stdout.write(
    `ingest overwrites, 10 events per call: ${Math.round(updated / (updateMs / 1000))} events/s (${updateMs.toFixed(0)} ms CPU for ${updated})\n`,
  );
}
