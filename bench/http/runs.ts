/**
 * What the HTTP benchmarks share: the generated data set loaded into an index, and one autocannon run (in its own
 * process) with the server's CPU time per request and the machine's CPU pressure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyIndexOp, DEFAULT_LIMITS } from '../../src/index/store';
import type { S3Index } from '../../src/service/s3-index';
import { runChild } from '../lib/child-processes';
import { GENKEYS } from '../lib/data';

export const BUCKET = 'bench-bucket';
export const PAGE_QUERY = 'prefix=logs/api/2024/&max-keys=1000';

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** The autocannon client, run in its own process so that it does not share the server's event loop. */
const CLIENT = `
const autocannon = require('autocannon');
const [base, pathsFile, connections, duration] = process.argv.slice(1);
const paths = JSON.parse(require('fs').readFileSync(pathsFile, 'utf8'));
let i = 0;
autocannon({
  url: base, connections: Number(connections), duration: Number(duration),
  requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
}, (err, r) => { if (err) throw err; process.stdout.write(JSON.stringify(r)); });
`;

/** autocannon, wrk and curl run as children that are stopped however this benchmark ends. */
export const run = (cmd: string, args: string[]): Promise<string> => runChild(cmd, args);

/** Loads N generated objects into the index through the store's write path (one put per object). */
export function load(index: S3Index, n: number): { loaded: number; keys: string[] } {
  const tsv = execFileSync('node', [GENKEYS, String(n), '42'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const scope = index.scope();
  let seq = 0;
  let loaded = 0;
  const keys: string[] = [];
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
    if (seq % 200 === 0) keys.push(key);
  }
  return { loaded, keys };
}

export interface Run {
  name: string;
  result: AutocannonResult;
  /** server CPU µs per request */
  cpuPerRequest: number;
  /** /proc/pressure/cpu some avg10 at the end of the run (%), undefined when unavailable */
  pressure?: number;
}

export function cpuPressure(): number | undefined {
  try {
    const m = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function measured(
  name: string,
  base: string,
  paths: string[],
  connections: number,
  seconds: number,
  /** starts work in this process for the duration of the run (an ingest); returns its stop */
  during?: () => () => void,
): Promise<Run> {
  const stop = during?.();
  const c0 = process.cpuUsage();
  let result: AutocannonResult;
  try {
    result = await autocannonRun(base, paths, connections, seconds);
  } finally {
    stop?.();
  }
  const c = process.cpuUsage(c0);
  const requests = Math.max(1, result.requests.total);
  return { name, result, cpuPerRequest: (c.user + c.system) / requests, pressure: cpuPressure() };
}

async function autocannonRun(
  base: string,
  paths: string[],
  connections: number,
  seconds: number,
): Promise<AutocannonResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 's3-index-http-bench-'));
  try {
    const file = path.join(dir, 'paths.json');
    writeFileSync(file, JSON.stringify(paths));
    const out = await run('node', ['-e', CLIENT, base, file, String(connections), String(seconds)]);
    return JSON.parse(out) as AutocannonResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
