/**
 * `npm run bench:cold-start` (issue 20): the API Lambda's cold start, from module load to the first listing answered
 * on a 1M-object snapshot restored from s3rver, and the size of every function's bundle as deployed.
 *
 * 1. `serverless package` (offline, fake credentials, as test/deploy/serverless.test.ts runs it) into a temporary
 *    directory: each function's zip and its unzipped handler .js (and .js.map); the api zip is unzipped and its
 *    src/handlers/http.js is what the measured processes load. Their environment (NODE_OPTIONS included) is taken
 *    from the api function in the compiled CloudFormation template, plus the Lambda runtime's own variables.
 * 2. s3rver in this process (as test/handlers/handlers.test.ts starts it); a child (`__build`) ingests N objects
 *    (bench/data/genkeys.mjs rows as EventBridge events through S3Index.ingest, as the persistence bench does) and
 *    writes one snapshot (Durable.snapshot, deflate 1) into s3://snapshots/index on it.
 * 3. Per run, a fresh `node` process (a small script written next to the bundle) takes t0 before `require` of the
 *    bundle, then awaits handler(GET /v1/buckets/<bucket>/objects?max-keys=1000) (an API Gateway HTTP API v2 event):
 *    module load = require; restore + first answer = the first invocation (S3 probe, manifest, snapshot GET + decode,
 *    tokens, app, listing); then the same request again on the warm container, then the next page. Each answer is
 *    checked: status 200, 1000 keys, exactly the 1000 (then the next 1000) smallest generated keys by Buffer.compare.
 *    Also: one run with POWERTOOLS_LOG_LEVEL=INFO for the runtime's own `restored` time, module load alone without
 *    --enable-source-maps, and a few runs pinned to one core (`taskset -c 0`, when present).
 *
 *   npm run bench:cold-start             (BENCH_N objects, default 1,000,000; COLD_RUNS runs, default 5)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Durable } from '../src/persistence/durable';
import { S3BlobStore } from '../src/persistence/s3-store';
import { createEngine } from '../src/service/create-engine';
import { INDEX_WEIGHTS, openStore } from '../src/service/persistence';
import { S3Index } from '../src/service/s3-index';
import { runChild } from './lib/child-processes';
import { objectCreatedEvent } from './lib/events';
import { genKeys } from './lib/redis';

interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');
const BUCKET = 'bench-bucket';
const STORE_BUCKET = 'snapshots';
const STORE = `s3://${STORE_BUCKET}/index`;
const TOKEN = 'cold-start-bench-token-0123';
const FUNCTIONS = ['ingest', 'api', 'apiStream', 'compact'] as const;
const RUNS = Number(process.env.COLD_RUNS ?? 5);
const PINNED_RUNS = 3;
const PAGE = 1000;
const RESULT = 'COLD-START-RESULT ';
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;
const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
const ms = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---------------------------------------------------------------------------------------------------------------
// 1. the bundles, as deployed

interface Bundle {
  name: string;
  zipBytes: number;
  jsBytes: number;
  mapBytes: number;
}

function packageFunctions(dir: string): { bundles: Bundle[]; apiJs: string; apiEnv: Record<string, string> } {
  const out = path.join(dir, 'package');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'bench', '--package', out],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'fake',
        AWS_SECRET_ACCESS_KEY: 'fake',
        AWS_REGION: 'us-east-1',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 << 20,
    },
  );
  const bundles: Bundle[] = [];
  for (const name of FUNCTIONS) {
    const zip = path.join(out, `${name}.zip`);
    const to = path.join(dir, name);
    execFileSync('unzip', ['-q', '-o', zip, '-d', to]);
    const js = fs.readdirSync(path.join(to, 'src/handlers')).filter((f) => f.endsWith('.js'));
    if (js.length !== 1) throw new Error(`${name}.zip: expected one handler .js, found ${js.join(', ')}`);
    const file = path.join(to, 'src/handlers', js[0]!);
    const map = `${file}.map`;
    bundles.push({
      name,
      zipBytes: fs.statSync(zip).size,
      jsBytes: fs.statSync(file).size,
      mapBytes: fs.existsSync(map) ? fs.statSync(map).size : 0,
    });
  }
  // the api function's environment as CloudFormation would set it (provider-level + the function's own)
  const template = JSON.parse(fs.readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  const vars = template.Resources.ApiLambdaFunction.Properties.Environment.Variables as Record<string, unknown>;
  const apiEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') apiEnv[k] = v;
  return { bundles, apiJs: path.join(dir, 'api/src/handlers/http.js'), apiEnv };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. the snapshot (child process `__build N`)

interface BuildResult {
  objects: number;
  ingestMs: number;
  snapshotMs: number;
  snapshot: { name: string; bytes: number; keys: number };
  /** the 2 × PAGE smallest keys by Buffer.compare */
  smallest: string[];
}

async function buildChild(n: number): Promise<BuildResult> {
  const rows = genKeys(n).rows;
  const engine = createEngine();
  const index = new S3Index(engine);
  let objects = 0;
  const t0 = performance.now();
  for (let start = 0; start < rows.length; start += 10_000) {
    const batch: unknown[] = [];
    for (let i = start; i < Math.min(rows.length, start + 10_000); i++) {
      const r = rows[i]!;
      batch.push(
        objectCreatedEvent({
          id: `e${i}`,
          bucket: BUCKET,
          key: r.key,
          size: r.size,
          etag: r.etag,
          time: r.mtime,
          sequencer: (0x1000000 + i).toString(16).toUpperCase().padStart(18, '0'),
          storage: r.storageClass,
        }),
      );
    }
    const o = index.ingest(JSON.parse(JSON.stringify(batch)));
    if (o.rejected.length > 0) throw new Error(`ingest rejected ${JSON.stringify(o.rejected[0])}`);
    objects += o.applied;
  }
  const ingestMs = performance.now() - t0;
  const smallest = [...new Set(rows.map((r) => r.key))]
    .map((k) => Buffer.from(k))
    .sort(Buffer.compare)
    .slice(0, 2 * PAGE)
    .map((b) => b.toString());
  const store = await openStore({ store: STORE }, () => undefined);
  if (store === undefined) throw new Error('no store');
  // an empty store opened on an engine of its own, then the ingested engine snapshotted into it (as compact does)
  const { durable } = await Durable.open(createEngine(), { store, weights: INDEX_WEIGHTS });
  const s0 = performance.now();
  const ref = await durable.snapshot(engine, { meta: { server: 's3-index', bench: 'cold-start' } });
  if (ref === undefined) throw new Error('no snapshot written');
  return {
    objects,
    ingestMs,
    snapshotMs: performance.now() - s0,
    snapshot: { name: ref.name, bytes: ref.bytes, keys: ref.keys },
    smallest,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. the measured process: a plain CommonJS script, so that nothing but the bundle is loaded after t0

const COLD_CHILD = `'use strict';
const tBoot = performance.now();
const [file, loadOnly, token, bucket] = process.argv.slice(2);
function event(query) {
  const rawPath = '/v1/buckets/' + bucket + '/objects';
  return {
    version: '2.0', routeKey: 'GET /v1/{proxy+}', rawPath, rawQueryString: query,
    headers: { host: 'api.example', authorization: 'Bearer ' + token, 'user-agent': 'cold-start-bench' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'api.example', domainPrefix: 'api',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'cold-start-bench' },
      requestId: 'r', routeKey: 'GET /v1/{proxy+}', stage: '$default', time: '01/Jan/2024:00:00:00 +0000',
      timeEpoch: 1704067200000,
    },
  };
}
function page(res) {
  const text = res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString() : res.body;
  let body;
  try { body = JSON.parse(text); } catch { body = { raw: String(text).slice(0, 300) }; }
  return { status: res.statusCode, keyCount: body.keyCount, keys: (body.objects || []).map((o) => o.key),
    next: body.nextContinuationToken, raw: body.raw, cache: res.headers && (res.headers['x-cache'] || res.headers['X-Cache']) };
}
const done = (r) => {
  r.maxRss = process.resourceUsage().maxRSS * 1024;
  r.rssAfter = process.memoryUsage().rss;
  require('node:fs').writeSync(1, '\\n${RESULT}' + JSON.stringify(r) + '\\n');
  process.exit(0);
};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu();
const t0 = performance.now();
const mod = require(file);
const t1 = performance.now();
const c1 = cpu();
if (loadOnly === '1') done({ boot: tBoot, load: t1 - t0, loadCpu: c1 - c0 });
(async () => {
  const q = 'max-keys=${PAGE}';
  const first = page(await mod.handler(event(q), {}));
  const t2 = performance.now();
  const c2 = cpu();
  const again = page(await mod.handler(event(q), {}));
  const t3 = performance.now();
  const q2 = q + '&continuation-token=' + encodeURIComponent(first.next || '');
  const next = page(await mod.handler(event(q2), {}));
  const t4 = performance.now();
  done({ boot: tBoot, load: t1 - t0, first: t2 - t1, loadCpu: c1 - c0, firstCpu: c2 - c1, again: t3 - t2, next: t4 - t3, pages: [first, again, next] });
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface PageOut {
  status: number;
  keyCount: number;
  keys: string[];
  next?: string;
  raw?: string;
}

interface ColdResult {
  boot: number;
  load: number;
  first: number;
  again: number;
  next: number;
  /** CPU time of the process (every thread: main, libuv pool, V8's) during the module load, the first answer */
  loadCpu: number;
  firstCpu: number;
  maxRss: number;
  rssAfter: number;
  /** CPU time of this (the s3rver) process during the run */
  serverCpu: number;
  pages: PageOut[];
  /** the runtime's own `restored` log line (INFO run only): Persistence.open's ms */
  restoredMs?: number;
}

function checkPage(p: PageOut, want: string[], what: string): void {
  const fail = (why: string) => {
    throw new Error(`${what}: ${why} (status ${p.status}, keyCount ${p.keyCount}${p.raw ? `, body ${p.raw}` : ''})`);
  };
  if (p.status !== 200) fail('status is not 200');
  if (p.keyCount !== PAGE || p.keys.length !== PAGE) fail(`not ${PAGE} keys`);
  if (Buffer.compare(Buffer.from(p.keys[0]!), Buffer.from(want[0]!)) !== 0)
    fail(`first key ${JSON.stringify(p.keys[0])}, expected ${JSON.stringify(want[0])}`);
  for (let i = 0; i < PAGE; i++) if (p.keys[i] !== want[i]) fail(`key ${i} is ${p.keys[i]}, expected ${want[i]}`);
}

async function coldRun(
  script: string,
  apiJs: string,
  env: NodeJS.ProcessEnv,
  opts: { loadOnly?: boolean; pin?: boolean } = {},
): Promise<ColdResult> {
  const args = [script, apiJs, opts.loadOnly ? '1' : '0', TOKEN, BUCKET];
  const [cmd, argv] = opts.pin ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const { runChildWithEnv } = childEnv(env);
  const u0 = process.cpuUsage();
  const out = await runChildWithEnv(cmd, argv);
  const u = process.cpuUsage(u0);
  const line = out.split('\n').find((l) => l.startsWith(RESULT));
  if (line === undefined) throw new Error(`no result from the cold-start process:\n${out.slice(-2000)}`);
  const r = JSON.parse(line.slice(RESULT.length)) as ColdResult;
  r.serverCpu = (u.user + u.system) / 1000;
  const restored = out.split('\n').find((l) => l.includes('"message":"restored"'));
  if (restored !== undefined) r.restoredMs = (JSON.parse(restored) as { ms?: number }).ms;
  return r;
}

/** runChild with an environment of its own (runChild passes the parent's): through `env -i`. */
function childEnv(env: NodeJS.ProcessEnv): { runChildWithEnv: (cmd: string, args: string[]) => Promise<string> } {
  const pairs = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return { runChildWithEnv: (cmd, args) => runChild('env', ['-i', ...pairs, cmd, ...args]) };
}

// ---------------------------------------------------------------------------------------------------------------

async function waitForQuiet(): Promise<number> {
  for (let i = 0; i < 12 && os.loadavg()[0]! >= 2 && process.env.BENCH_NO_WAIT !== '1'; i++) {
    process.stdout.write(`load average ${os.loadavg()[0]!.toFixed(2)} ≥ 2: waiting 10 s\n`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
  return os.loadavg()[0]!;
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1_000_000);
  const args = process.argv.slice(2);
  if (args[0] === '__build') {
    const r = await buildChild(Number(args[1]));
    process.stdout.write(`${RESULT}${JSON.stringify(r)}\n`);
    return;
  }
  const load0 = await waitForQuiet();
  const started = new Date().toISOString();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-cold-start-'));
  // biome-ignore lint/suspicious/noExplicitAny: s3rver has no types
  const S3rverClass: new (opts: Record<string, unknown>) => S3rver = require('s3rver') as any;
  const server = new S3rverClass({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(tmp, 's3rver') });
  try {
    process.stdout.write(
      `## npm run bench:cold-start — ${started} — node ${process.version}, ${os.cpus().length} cores, N=${n}, ` +
        `load ${load0.toFixed(2)}\n\n`,
    );
    const p0 = performance.now();
    const { bundles, apiJs, apiEnv } = packageFunctions(tmp);
    process.stdout.write(`serverless package: ${ms(performance.now() - p0)}\n`);

    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: STORE_BUCKET }));
    const storeEnv = { ...CREDS, AWS_ENDPOINT_URL_S3: endpoint, S3_INDEX_STORE: STORE };

    const b0 = performance.now();
    const buildOut = await childEnv({ ...process.env, ...storeEnv }).runChildWithEnv(process.execPath, [
      '--expose-gc',
      '--max-semi-space-size=64',
      process.argv[1]!,
      '__build',
      String(n),
    ]);
    const build = JSON.parse(
      buildOut
        .split('\n')
        .find((l) => l.startsWith(RESULT))!
        .slice(RESULT.length),
    ) as BuildResult;
    process.stdout.write(
      `build: ${build.objects.toLocaleString('en-US')} objects ingested in ${ms(build.ingestMs)}; snapshot ` +
        `${build.snapshot.bytes.toLocaleString('en-US')} B (${build.snapshot.keys} keys) written to s3rver in ` +
        `${ms(build.snapshotMs)}; child total ${ms(performance.now() - b0)}\n`,
    );

    // the snapshot blob alone, GET from s3rver (ranged reads, as a restore reads it): at the start and at the end, to
    // show how much the machine's speed drifted in between
    const reader = await S3BlobStore.open({ bucket: STORE_BUCKET, prefix: 'index', client, readOnly: true });
    const getAlone = async (): Promise<number> => {
      const g0 = performance.now();
      const stream = await reader.getStream(build.snapshot.name);
      let got = 0;
      for await (const chunk of stream!.body) got += chunk.length;
      if (got !== build.snapshot.bytes) throw new Error(`GET: ${got} bytes, expected ${build.snapshot.bytes}`);
      return performance.now() - g0;
    };
    const getMs = await getAlone();
    process.stdout.write(`GET of the snapshot alone from s3rver (in this process): ${ms(getMs)}\n`);

    // the api function's environment: CloudFormation's, the Lambda runtime's, the store's, and the bench's
    const nodeOptions = apiEnv.NODE_OPTIONS ?? '';
    const lambdaEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_LAMBDA_FUNCTION_NAME: 's3-index-bench-api',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: path.dirname(path.dirname(path.dirname(apiJs))),
      ...apiEnv,
      ...storeEnv,
      // the tokens as a value, not the SSM parameter (no SSM here)
      S3_INDEX_API_TOKENS_PARAM: '',
      S3_INDEX_API_TOKENS: `ro:${TOKEN}`,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      NODE_OPTIONS: nodeOptions,
    };
    const script = path.join(tmp, 'cold-child.js');
    fs.writeFileSync(script, COLD_CHILD);

    const want1 = build.smallest.slice(0, PAGE);
    const want2 = build.smallest.slice(PAGE, 2 * PAGE);
    const check = (r: ColdResult, what: string) => {
      checkPage(r.pages[0]!, want1, `${what}, first answer`);
      checkPage(r.pages[1]!, want1, `${what}, second answer`);
      checkPage(r.pages[2]!, want2, `${what}, next page`);
    };
    const runs: ColdResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await coldRun(script, apiJs, lambdaEnv);
      check(r, `run ${i + 1}`);
      runs.push(r);
    }
    const info = await coldRun(script, apiJs, { ...lambdaEnv, POWERTOOLS_LOG_LEVEL: 'INFO' });
    check(info, 'INFO run');
    const noMaps = nodeOptions.replace(/\s*--enable-source-maps/, '').trim();
    const loads: ColdResult[] = [];
    for (let i = 0; i < RUNS; i++)
      loads.push(await coldRun(script, apiJs, { ...lambdaEnv, NODE_OPTIONS: noMaps }, { loadOnly: true }));
    let taskset = true;
    try {
      execFileSync('taskset', ['-c', '0', 'true']);
    } catch (err) {
      process.stdout.write(`(no pinned runs: ${(err as Error).message.split('\n')[0]})\n`);
      taskset = false;
    }
    const pinned: ColdResult[] = [];
    for (let i = 0; taskset && i < PINNED_RUNS; i++) {
      const r = await coldRun(script, apiJs, lambdaEnv, { pin: true });
      check(r, `pinned run ${i + 1}`);
      pinned.push(r);
    }
    const getMsEnd = await getAlone();
    client.destroy();
    const load1 = os.loadavg()[0]!;

    // -------------------------------------------------------------------------------------------------------------
    const lines: string[] = [];
    lines.push('', '### bundles (serverless package: esbuild minify + sourcemap, platform node, target node22)', '');
    lines.push('| function | zip | handler .js (unzipped) | .js.map |', '|---|---:|---:|---:|');
    for (const b of bundles) lines.push(`| ${b.name} | ${mb(b.zipBytes)} | ${mb(b.jsBytes)} | ${mb(b.mapBytes)} |`);
    const col = (f: (r: ColdResult) => number, rs: ColdResult[] = runs, unit = ms) =>
      `${rs.map((r) => Math.round(f(r))).join(' / ')} | **${unit(median(rs.map(f)))}** | ${unit(Math.min(...rs.map(f)))}`;
    const total = (r: ColdResult) => r.load + r.first;
    const cpuTotal = (r: ColdResult) => r.loadCpu + r.firstCpu;
    const lambdaShare = 1024 / 1769; // Lambda's CPU share at 1024 MB: one vCPU at 1,769 MB
    const mibs = (x: number) => mib(x);
    lines.push(
      '',
      `### api cold start, ${RUNS} fresh processes (NODE_OPTIONS="${nodeOptions}")`,
      '',
      '| measure | runs (ms; RSS MiB) | median | min |',
      '|---|---|---:|---:|',
      `| node start → t0 (bootstrap, before the handler's require) | ${col((r) => r.boot)} |`,
      `| module load (require of http.js) | ${col((r) => r.load)} |`,
      `| restore + first answer (first invocation) | ${col((r) => r.first)} |`,
      `| **total: module load → first listing answered** | ${col(total)} |`,
      `| second request, same page (warm container) | ${col((r) => r.again)} |`,
      `| next page (continuation-token, warm) | ${col((r) => r.next)} |`,
      `| CPU of the process (all threads): module load | ${col((r) => r.loadCpu)} |`,
      `| CPU of the process (all threads): restore + first answer | ${col((r) => r.firstCpu)} |`,
      `| CPU of s3rver (the bench process) during the run | ${col((r) => r.serverCpu)} |`,
      `| total CPU ÷ ${lambdaShare.toFixed(2)} (the vCPU share of a 1024 MB Lambda): a CPU-bound floor | ${col((r) => cpuTotal(r) / lambdaShare)} |`,
      `| peak RSS (resourceUsage().maxRSS) | ${runs.map((r) => (r.maxRss / 1048576).toFixed(0)).join(' / ')} | **${mibs(median(runs.map((r) => r.maxRss)))}** | ${mibs(Math.min(...runs.map((r) => r.maxRss)))} |`,
      `| RSS after the three answers | ${runs.map((r) => (r.rssAfter / 1048576).toFixed(0)).join(' / ')} | **${mibs(median(runs.map((r) => r.rssAfter)))}** | ${mibs(Math.min(...runs.map((r) => r.rssAfter)))} |`,
      `| module load without --enable-source-maps (require only) | ${col((r) => r.load, loads)} |`,
    );
    if (pinned.length > 0)
      lines.push(
        `| total, pinned to one core (taskset -c 0) | ${col(total, pinned)} |`,
        `| of which module load, pinned | ${col((r) => r.load, pinned)} |`,
      );
    const goal = median(runs.map(total));
    lines.push(
      '',
      `- every answer checked: status 200, ${PAGE} keys, exactly the ${PAGE} smallest generated keys by ` +
        'Buffer.compare (the next page: the following 1000)',
      `- snapshot: ${build.snapshot.bytes.toLocaleString('en-US')} B (${mb(build.snapshot.bytes)}), ` +
        `${build.snapshot.keys.toLocaleString('en-US')} engine keys, ${build.objects.toLocaleString('en-US')} objects; ` +
        `GET alone from s3rver ${ms(getMs)} before the runs, ${ms(getMsEnd)} after them ` +
        `(${(build.snapshot.bytes / 1e6 / (getMs / 1000)).toFixed(0)} / ${(build.snapshot.bytes / 1e6 / (getMsEnd / 1000)).toFixed(0)} MB/s)`,
      `- INFO run: the runtime logs Persistence.open (S3 probe + manifest + snapshot GET and decode) at ` +
        `${info.restoredMs === undefined ? '?' : ms(info.restoredMs)} of its ${ms(info.first)} first invocation ` +
        `(module load ${ms(info.load)})`,
      `- load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end`,
      `- goal: first answer ≤ 1.5 s after module load start: median ${ms(goal)} — ${goal <= 1500 ? 'met' : 'MISSED'} ` +
        '(on s3rver over loopback, with this machine’s full cores)',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
