/**
 * bench/lib/child-processes.ts: the children a benchmark starts do not outlive it, however it ends. Each case runs
 * fixtures/child-owner.ts (bundled with esbuild) in its own process, reads the pids of its children, lets it end,
 * and checks that those pids are gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

let dir: string;
let fixture: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-child-processes-'));
  fixture = path.join(dir, 'child-owner.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'fixtures/child-owner.ts')],
    outfile: fixture,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Alive and not a zombie (an exited child nobody has reaped yet counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pids: number[]): Promise<number[]> {
  // the children exit on SIGTERM within moments; allow a slow, shared machine plenty
  for (let i = 0; i < 100 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(running);
}

/** Starts the fixture in `mode`; resolves with it and its children's pids once they run. */
async function start(mode: string): Promise<{ owner: ChildProcess; pids: number[] }> {
  const owner = spawn(process.execPath, [fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  owner.stdout!.setEncoding('utf8');
  owner.stdout!.on('data', (s: string) => {
    out += s;
  });
  for (let i = 0; i < 200 && !out.includes('\n') && owner.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const line = out.split('\n')[0]!;
  if (!line) throw new Error(`the fixture printed no pids (exit ${owner.exitCode})`);
  const { pids } = JSON.parse(line) as { pids: number[] };
  return { owner, pids };
}

async function exitOf(owner: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (owner.exitCode === null && owner.signalCode === null) await once(owner, 'exit');
  return { code: owner.exitCode, signal: owner.signalCode };
}

describe('bench/lib/child-processes: children are stopped on every exit path', () => {
  it.each([
    ['an uncaught exception', 'throw'],
    ['an unhandled rejection', 'reject'],
    ['a main that rejects (no stop called)', 'error'],
  ])('%s', async (_name, mode) => {
    const { owner, pids } = await start(mode);
    expect(pids.length).toBeGreaterThan(0);
    expect((await exitOf(owner)).code).toBe(1);
    expect(await gone(pids)).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s: the children first, then the owner ends by that signal',
    async (signal) => {
      const { owner, pids } = await start('wait');
      expect(pids.filter(running)).toEqual(pids);
      owner.kill(signal);
      expect(await exitOf(owner)).toEqual({ code: null, signal });
      expect(await gone(pids)).toEqual([]);
    },
  );
});
