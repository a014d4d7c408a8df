/**
 * HTTP API benchmark on a 1M-object index (keys from bench/data/genkeys.mjs, as the index benchmark):
 *   1. autocannon (a separate process, 50 connections, 30 s per run) against 1000-key JSON pages:
 *        a. GET /v1/buckets/b/objects?prefix=logs/api/2024/&max-keys=1000 with the response cache (the same page
 *           polled: served from memory until the next write);
 *        b. the same URL with the cache off (every request lists and renders 1000 objects);
 *        c. 5000 different pages (random start-after), cache off;
 *        d. the floor: a bare node:http server answering the same page bytes with no work at all (what 50
 *           connections of ~205 KB responses cost this machine's kernel and the autocannon client);
 *      each run also reports the server's CPU time per request (process.cpuUsage, robust to other load) and the
 *      machine's CPU pressure during the run (/proc/pressure/cpu "some" avg10: the share of time runnable tasks
 *      waited for a CPU — the 2 cores are shared with other work);
 *   2. the same three single-URL runs with wrk (a C client, Debian package `wrk`, one thread), when it is installed:
 *      autocannon spends ~134 µs of CPU per 205 KB response on this 2-core machine, a third of a core at these
 *      rates, which the server then lacks; the issue allows either client;
 *   3. the full NDJSON export of every key (`Accept: application/x-ndjson`), read by curl in a separate process,
 *      against what real S3 needs for the same listing (1000 sequential pages at ≥ 82 ms each);
 *   4. the cached page with autocannon again while the server's process ingests 2,000 events/s, for keys elsewhere
 *      in the bucket and then for keys on the page, with the share of requests the cache served (from /metrics).
 * The server is the same app and Node adapter `s3-index serve` uses, on a loopback port.
 *
 *   node scripts/build.mjs && node dist/http-bench.js [N=1000000] [seconds=30] [connections=50]
 * (scripts/build.mjs bundles it: the app imports the browse page's assets, which its esbuild plugin builds)
 *
 * The server runs with `--max-semi-space-size=64` (the bench re-executes itself with it), as `s3-index serve`
 * should: listing allocates many short-lived objects, and with V8's default 16 MB young generation they get
 * promoted and collected by the old-generation GC — the 1M-key export takes 2-3× longer without it.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { systemClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { startHttpServer } from '../../src/http/node-server';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { startChild } from '../lib/child-processes';
import { objectCreatedEvent } from '../lib/events';
import { BUCKET, load, measured, PAGE_QUERY, type Run, run } from './runs';

/** AWS's own s3-fast-list on a large EC2 instance: the best case for one sequential LIST page */
const S3_MS_PER_PAGE = 82;

/** Events per second of the live ingest that runs during the cache runs with writes. */
const LIVE_EVENTS_PER_SECOND = 2000;

/**
 * A live ingest in the server's process: every 10 ms, LIVE_EVENTS_PER_SECOND / 100 EventBridge "Object Created"
 * events through the index's ingest (what POST /v1/events and the Lambda handler call), for new keys `keyOf(i)`.
 * Returns its stop; `count()` tells how many were applied.
 */
function liveIngest(index: S3Index, keyOf: (i: number) => string): { start: () => () => void; count: () => number } {
  let n = 0;
  let applied = 0;
  const start = () => {
    const timer = setInterval(() => {
      const batch = [];
      for (let j = 0; j < LIVE_EVENTS_PER_SECOND / 100; j++, n++) {
        batch.push(
          objectCreatedEvent({
            id: `live-${n}`,
            bucket: BUCKET,
            key: keyOf(n),
            size: 100 + n,
            etag: 'd41d8cd98f00b204e9800998ecf8427e',
            time: Date.now(),
            sequencer: `F${n}`.padEnd(18, '0'),
          }),
        );
      }
      applied += index.ingest(batch).applied;
    }, 10);
    return () => clearInterval(timer);
  };
  return { start, count: () => applied };
}

/** The response cache's hit and miss counters of a server, from its /metrics. */
async function cacheCounts(base: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const n = (r: string): number =>
    Number(new RegExp(`response_cache_total\\{result="${r}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: n('hit'), miss: n('miss') };
}

/** One wrk run: latencies in ms (wrk prints them with units), requests/s, errors. */
interface WrkResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  cpuPerRequest: number;
}

/** wrk is on the PATH (`wrk --version` prints its banner and exits 1, so only a failure to start counts). */
const hasWrk = (): boolean => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

/** "9.99ms" / "850.00us" / "1.19s" → ms. */
function wrkMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrkRun(url: string, connections: number, seconds: number): Promise<WrkResult> {
  const c0 = process.cpuUsage();
  const out = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const c = process.cpuUsage(c0);
  const pct = (p: string) => wrkMs(new RegExp(`^\\s+${p}%\\s+(\\S+)$`, 'm').exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    max: wrkMs(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(out)?.[1]),
    requests,
    errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    cpuPerRequest: (c.user + c.system) / Math.max(1, requests),
  };
}

const wrkRow = (name: string, r: WrkResult): string =>
  `| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.requests} | ${r.errors} | ${r.non2xx} | ${r.cpuPerRequest.toFixed(0)} |`;

const row = (r: Run): string => {
  const a = r.result;
  return `| ${r.name} | ${a.requests.average.toFixed(0)} | ${a.latency.p50} | ${a.latency.p99} | ${a.latency.max} | ${(a.throughput.average / 1e6).toFixed(1)} | ${a.requests.total} | ${a.errors + a.timeouts} | ${a.non2xx} | ${r.cpuPerRequest.toFixed(0)} | ${r.pressure ?? '-'} |`;
};

export async function benchHttp(n: number, seconds: number, connections: number): Promise<string[]> {
  const engine = createEngine({ clock: systemClock });
  const index = new S3Index(engine);
  let t = performance.now();
  const { keys } = load(index, n);
  const loadMs = performance.now() - t;
  const stats = index.stats(BUCKET);
  // genkeys may repeat a key: count what the index lists
  const objects = stats.ok ? stats.value.objects : 0;

  const cachedApp = createApp({ engine, index, config: httpConfig(), clock: systemClock });
  const plainApp = createApp({
    engine,
    index,
    config: httpConfig({ limits: { responseCacheBytes: 0 } }),
    clock: systemClock,
  });
  const cached = await startHttpServer(cachedApp, { host: '127.0.0.1', port: 0 });
  const plain = await startHttpServer(plainApp, { host: '127.0.0.1', port: 0 });
  let bare: Server | undefined;
  try {
    const pagePath = `/v1/buckets/${BUCKET}/objects?${PAGE_QUERY}`;
    const firstRes = await fetch(`http://127.0.0.1:${plain.port}${pagePath}`);
    const pageBytes = Buffer.from(await firstRes.arrayBuffer());
    const first = JSON.parse(pageBytes.toString('utf8')) as { keyCount: number };
    // ~53k objects or more fill the page; a smaller N (a quick run) measures a shorter one, and says so
    if (first.keyCount !== 1000 && n >= 100_000) throw new Error(`expected a 1000-key page, got ${first.keyCount}`);
    // the floor: the same bytes from a bare node:http server
    const floor = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': pageBytes.length });
      res.end(pageBytes);
    });
    bare = floor;
    await new Promise<void>((done) => floor.listen(0, '127.0.0.1', done));
    const barePort = (floor.address() as AddressInfo).port;
    // random positions in the key space, each a full 1000-key page
    const randomPaths = keys
      .map((k, i) => ({ k, r: Math.sin(i * 12.9898) }))
      .sort((a, b) => a.r - b.r)
      .slice(0, 5000)
      .map(({ k }) => `/v1/buckets/${BUCKET}/objects?max-keys=1000&start-after=${encodeURIComponent(k)}`);

    const runs: Run[] = [];
    const at = (port: number): string => `http://127.0.0.1:${port}`;
    runs.push(await measured('floor: bare node:http, same bytes', at(barePort), [pagePath], connections, seconds));
    runs.push(await measured('same page, response cache', at(cached.port), [pagePath], connections, seconds));
    runs.push(await measured('same page, no cache', at(plain.port), [pagePath], connections, seconds));
    runs.push(await measured('5000 random pages, no cache', at(plain.port), randomPaths, connections, seconds));
    const wrkRows: string[] = [];
    if (hasWrk()) {
      wrkRows.push(
        wrkRow('floor: bare node:http, same bytes', await wrkRun(`${at(barePort)}${pagePath}`, connections, seconds)),
      );
      wrkRows.push(
        wrkRow('same page, response cache', await wrkRun(`${at(cached.port)}${pagePath}`, connections, seconds)),
      );
      wrkRows.push(wrkRow('same page, no cache', await wrkRun(`${at(plain.port)}${pagePath}`, connections, seconds)));
    }
    floor.close();
    bare = undefined;

    const exportUrl = `http://127.0.0.1:${plain.port}/v1/buckets/${BUCKET}/objects`;
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
    // (after the export, which counts the objects loaded) the cache with an ingest under way: new keys elsewhere in the bucket (the page stays cached), then new keys
    // inside the page's range (each write recomputes it)
    const live: string[] = [];
    for (const [where, keyOf] of [
      ['other keys of the bucket', (i: number) => `logs/web/live/${i}`],
      // each new key sorts before the ones before it: every write lands on the page
      ["the page's key range", (i: number) => `logs/api/2024/00-live/${1e9 - i}`],
    ] as const) {
      const ingest = liveIngest(index, keyOf);
      const before = await cacheCounts(at(cached.port));
      const name = `same page, response cache, ${LIVE_EVENTS_PER_SECOND} events/s into ${where}`;
      const r = await measured(name, at(cached.port), [pagePath], connections, seconds, ingest.start);
      runs.push(r);
      const after = await cacheCounts(at(cached.port));
      const hits = after.hit - before.hit;
      const misses = after.miss - before.miss;
      live.push(
        `- ${name}: ${ingest.count().toLocaleString('en')} events applied during the run; ` +
          `${((100 * hits) / Math.max(1, hits + misses)).toFixed(1)} % of ${(hits + misses).toLocaleString('en')} requests served from the cache`,
      );
    }

    const best = exports.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const s3Seconds = (Math.ceil(objects / 1000) * S3_MS_PER_PAGE) / 1000;
    return [
      `### HTTP API — ${objects.toLocaleString('en')} objects (loaded in ${(loadMs / 1000).toFixed(1)} s), node ${process.version} ${process.execArgv.join(' ')}, ${cpus().length} cores`,
      '',
      `1000-key JSON pages (GET /v1/buckets/{b}/objects), autocannon in its own process, ${connections} connections, ${seconds} s each:`,
      '',
      `page: ${first.keyCount} keys, ${pageBytes.length.toLocaleString('en')} bytes. server µs/req: server CPU time per request; CPU pressure: /proc/pressure/cpu some avg10 after the run`,
      '',
      '| run | requests/s | p50 ms | p99 ms | max ms | MB/s | requests | errors | non-2xx | server µs/req | CPU pressure % |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...runs.map(row),
      '',
      ...live,
      '',
      ...(wrkRows.length === 0
        ? ['wrk is not installed (Debian package `wrk`): no wrk runs.', '']
        : [
            `The same URL with wrk (-t1, ${connections} connections, ${seconds} s each); latencies in ms; server µs/req as above:`,
            '',
            '| run | requests/s | p50 | p90 | p99 | max | requests | socket errors | non-2xx | server µs/req |',
            '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
            ...wrkRows,
            '',
          ]),
      'Full NDJSON export (`Accept: application/x-ndjson`, read by curl):',
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
    bare?.close();
    await cached.close();
    await plain.close();
  }
}

const YOUNG_GEN_FLAG = '--max-semi-space-size=64';

if (require.main === module && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const child = startChild(process.execPath, [YOUNG_GEN_FLAG, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  child.on('exit', (code) => {
    process.exitCode = code ?? 1;
  });
} else if (require.main === module) {
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
