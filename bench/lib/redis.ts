/** Benchmark helpers: a redis-server started for the run, its INFO fields, and the key generator's rows. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChild, startServer } from './child-processes';
import { GENKEYS } from './data';

export interface BenchRedis {
  port: number;
  cli(...args: string[]): string;
  info(field: string): number;
  /** loads a file of RESP commands with `redis-cli --pipe` */
  pipe(respFile: string): Promise<void>;
  /** resolves once the server has exited */
  stop(): Promise<void>;
}

/** A redis-server on a free port, without persistence; it is stopped on every exit path (bench/lib/child-processes.ts). */
export async function startRedis(): Promise<BenchRedis> {
  const server = await startServer('redis-server', ([port]) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const port = server.ports[0]!;
  const cli = (...args: string[]): string =>
    execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return {
    port,
    cli,
    info(field) {
      const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(cli('info', 'all'));
      return m ? Number(m[1]) : Number.NaN;
    },
    async pipe(respFile) {
      await runChild('sh', ['-c', `redis-cli -p ${port} --pipe < '${respFile}'`]);
    },
    stop() {
      return server.stop();
    },
  };
}

/**
 * used_memory_rss of a server at rest: the least of four readings 250 ms apart after MEMORY PURGE (jemalloc's dirty
 * pages returned to the OS; the server refreshes the figure every 100 ms).
 */
export async function redisRestingRss(redis: Pick<BenchRedis, 'cli'>): Promise<number> {
  redis.cli('memory', 'purge');
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const m = /^used_memory_rss:(\d+)/m.exec(redis.cli('info', 'memory'));
    if (m) least = Math.min(least, Number(m[1]));
  }
  return least;
}

export interface KeyRow {
  key: string;
  size: number;
  etag: string;
  mtime: number;
  storageClass: string;
}

/** The TSV file of bench/data/genkeys.mjs's rows (generated once, cached in the OS temp dir). */
export function genKeysFile(n: number, seed = 42): string {
  const file = path.join(os.tmpdir(), `s3-index-keys-${n}-${seed}.tsv`);
  if (!fs.existsSync(file)) {
    const out = execFileSync('node', [GENKEYS, String(n), String(seed)], {
      maxBuffer: 1 << 30,
    });
    fs.writeFileSync(file, out);
  }
  return file;
}

/**
 * The keys of genKeysFile's rows as views on one Buffer of the file: what a memory measurement loads, as it leaves
 * next to no garbage behind (no row objects, no strings) to be freed while it measures.
 */
export function genKeyViews(n: number, seed = 42): Buffer[] {
  const text = fs.readFileSync(genKeysFile(n, seed));
  const keys: Buffer[] = [];
  let line = 0;
  while (line < text.length) {
    let end = text.indexOf(0x0a, line);
    if (end < 0) end = text.length;
    const tab = text.indexOf(0x09, line);
    if (end > line) keys.push(text.subarray(line, tab >= 0 && tab < end ? tab : end));
    line = end + 1;
  }
  return keys;
}

/** Rows from bench/data/genkeys.mjs (cached in the OS temp dir). */
export function genKeys(n: number, seed = 42): { file: string; rows: KeyRow[] } {
  const file = genKeysFile(n, seed);
  const rows: KeyRow[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [key, size, etag, mtime, storageClass] = line.split('\t') as [string, string, string, string, string];
    rows.push({ key, size: Number(size), etag, mtime: Number(mtime), storageClass });
  }
  return { file, rows };
}

export function respCommand(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export const fmt = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
