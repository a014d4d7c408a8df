/** Benchmark helpers: a redis-server started for the run, its INFO fields, and the shared key generator. */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SHARED_BENCH = path.resolve(
  process.env.S3_INDEX_SHARED_BENCH ?? path.join(process.cwd(), '../shared/bench'),
);

export interface BenchRedis {
  port: number;
  cli(...args: string[]): string;
  info(field: string): number;
  pipe(respFile: string): void;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      if (a && typeof a === 'object') s.close(() => resolve(a.port));
      else reject(new Error('no port'));
    });
  });
}

export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const cli = (...args: string[]): string =>
    execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  for (let i = 0; i < 100; i++) {
    try {
      // stderr ignored: redis-cli says "Could not connect" until the server is up
      const pong = execFileSync('redis-cli', ['-p', String(port), 'ping'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      if (pong.trim() === 'PONG') break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    cli,
    info(field) {
      const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(cli('info', 'all'));
      return m ? Number(m[1]) : Number.NaN;
    },
    pipe(respFile) {
      const r = spawnSync('sh', ['-c', `redis-cli -p ${port} --pipe < '${respFile}'`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`redis-cli --pipe failed: ${r.stderr}`);
    },
    stop() {
      proc.kill('SIGKILL');
    },
  };
}

export interface KeyRow {
  key: string;
  size: number;
  etag: string;
  mtime: number;
  storageClass: string;
}

/** Rows from ../shared/bench/genkeys.mjs (cached in the OS temp dir). */
export function genKeys(n: number, seed = 42): { file: string; rows: KeyRow[] } {
  const file = path.join(os.tmpdir(), `s3-index-keys-${n}-${seed}.tsv`);
  if (!fs.existsSync(file)) {
    const out = execFileSync('node', [path.join(SHARED_BENCH, 'genkeys.mjs'), String(n), String(seed)], {
      maxBuffer: 1 << 30,
    });
    fs.writeFileSync(file, out);
  }
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

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

export function memNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export const fmt = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
