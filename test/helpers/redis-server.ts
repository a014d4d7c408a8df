/**
 * Starts a real redis-server (the oracle) on a free loopback port for a test suite.
 * When redis-server is not installed the suite is skipped with a printed reason — except when CI=true, where the
 * tool is mandatory (.ci/run installs it) and its absence fails the suite.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

export function hasTool(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when the tool exists (or CI=true, so that a missing tool fails loudly), else `describe.skip` with a
 * printed reason.
 */
export function describeWithTool(bin: string): jest.Describe {
  if (hasTool(bin) || process.env.CI === 'true') return describe;
  console.warn(
    `SKIPPED: '${bin}' is not installed (apt-get install redis-server redis-tools awscli); set CI=true to make it mandatory`,
  );
  return describe.skip;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr && typeof addr === 'object') {
        const { port } = addr;
        srv.close(() => resolve(port));
      } else reject(new Error('no port'));
    });
  });
}

export interface RedisServerHandle {
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServerHandle> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 10_000);
  return {
    port,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
