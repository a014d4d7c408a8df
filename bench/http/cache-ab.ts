/**
 * A short HTTP run for A/B comparisons of the serving path (not part of `npm run bench`): N generated objects, one
 * server with the response cache and one without, then autocannon (its own process) against the same 1000-key JSON
 * page on each: cache hits, then a page listed and rendered per request. Prints one JSON line per run, so builds
 * of two commits can be alternated and their medians compared (see BENCHMARKS.md, issue 18).
 *
 *   node scripts/build.mjs && node --max-semi-space-size=64 dist/cache-ab.js [N=200000] [seconds=15] [connections=50]
 * (scripts/build.mjs bundles it: the app imports the browse page's assets, which its esbuild plugin builds)
 */
import { systemClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { startHttpServer } from '../../src/http/node-server';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { BUCKET, load, measured, PAGE_QUERY, type Run } from './runs';

async function main(n: number, seconds: number, connections: number): Promise<void> {
  const engine = createEngine({ clock: systemClock });
  const index = new S3Index(engine);
  load(index, n);
  const cachedApp = createApp({ engine, index, config: httpConfig(), clock: systemClock });
  const plainApp = createApp({
    engine,
    index,
    config: httpConfig({ limits: { responseCacheBytes: 0 } }),
    clock: systemClock,
  });
  const cached = await startHttpServer(cachedApp, { host: '127.0.0.1', port: 0 });
  const plain = await startHttpServer(plainApp, { host: '127.0.0.1', port: 0 });
  const page = `/v1/buckets/${BUCKET}/objects?${PAGE_QUERY}`;
  const brief = (r: Run) => ({
    rps: Math.round(r.result.requests.average),
    p50: r.result.latency.p50,
    p99: r.result.latency.p99,
    cpuUs: Math.round(r.cpuPerRequest),
    pressure: r.pressure,
    bad: r.result.errors + r.result.timeouts + r.result.non2xx,
  });
  try {
    const hit = await measured('hit', `http://127.0.0.1:${cached.port}`, [page], connections, seconds);
    const miss = await measured('miss', `http://127.0.0.1:${plain.port}`, [page], connections, seconds);
    process.stdout.write(`${JSON.stringify({ hit: brief(hit), miss: brief(miss) })}\n`);
  } finally {
    await cached.close();
    await plain.close();
  }
}

main(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 15), Number(process.argv[4] ?? 50)).catch(
  (err: unknown) => {
    process.stderr.write(`cache-ab failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
