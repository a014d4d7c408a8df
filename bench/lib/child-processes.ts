/**
 * The owner of every process a benchmark starts, and of the ports its servers listen on.
 *
 * A child started here is stopped however this process ends:
 * - a normal end or a thrown error: servers are unref'd, so a benchmark whose main rejects still exits, and the
 *   'exit' event sends SIGTERM to whatever is still running (callers stop what they started in `finally` anyway);
 * - an uncaught exception or unhandled rejection: Node emits 'exit' for both;
 * - SIGINT, SIGTERM, SIGHUP: the children get SIGTERM and STOP_GRACE_MS to exit, then SIGKILL, and the signal is
 *   raised again so that this process ends as it would have without the handler.
 * SIGTERM comes first so that a child that is itself a benchmark stops its own children the same way. Only SIGKILL of
 * this process leaves its children running. Children run with spawnSync/execFileSync are not owned: they are waited
 * for, and a signal reaches this process's handler once they are done, so only short ones should run that way.
 *
 * Servers get ports chosen here (free on 127.0.0.1 when asked) and never a default, which another program may hold.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** How long children get to exit after SIGTERM when this process is stopped by a signal. */
const STOP_GRACE_MS = 5000;
const HOST = '127.0.0.1';

const live = new Set<ChildProcess>();
let installed = false;
let stopping = false;

/** Starts a child owned by this module: it is stopped on every exit path of this process (see the header). */
export function startChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installHandlers();
  const child = spawn(command, args, options);
  // a child that failed to start has no pid, and its 'error' event goes to the caller
  if (child.pid !== undefined && !hasExited(child)) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

export interface RunOptions {
  /** 'capture' (default): resolve with stdout; 'inherit': this process's stdout; { file }: written to that file */
  stdout?: 'capture' | 'inherit' | { file: string };
  /** 'capture' (default): kept for the error message; 'inherit': this process's stderr */
  stderr?: 'capture' | 'inherit';
}

/**
 * Runs a command to completion as an owned child: resolves with its stdout ('' unless captured), rejects when it
 * cannot start or ends with a non-zero status or a signal (the message holds the end of its stderr when captured).
 */
export async function runChild(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const out = options.stdout ?? 'capture';
  const fd = typeof out === 'object' ? fs.openSync(out.file, 'w') : undefined;
  let child: ChildProcess;
  try {
    child = startChild(command, args, {
      stdio: [
        'ignore',
        fd ?? (out === 'inherit' ? 'inherit' : 'pipe'),
        options.stderr === 'inherit' ? 'inherit' : 'pipe',
      ],
    });
  } finally {
    // the child holds its own copy of the descriptor
    if (fd !== undefined) fs.closeSync(fd);
  }
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => stdout.push(b));
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'close': the process has ended and its stdout and stderr are read to the end
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const tail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-20).join('\n');
      const status = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new Error(`${command} ${args.join(' ')} ${status}${tail ? `:\n${tail}` : ''}`));
    });
  });
}

/** A server started by startServer, listening on `ports`. */
export interface ChildServer {
  readonly ports: readonly number[];
  readonly pid: number;
  /** SIGTERM (or `signal`), resolved once the process has exited */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a server on `portCount` ports chosen here: `argsFor(ports)` gives its arguments. Resolves once every port
 * accepts connections; when the process exits first (the port was taken in between), tries again on other ports.
 * The server does not keep this process alive: stop it, or it is stopped when this process exits.
 */
export async function startServer(
  command: string,
  argsFor: (ports: number[]) => string[],
  portCount = 1,
): Promise<ChildServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports: number[] = [];
    while (ports.length < portCount) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const child = startChild(command, argsFor(ports), { stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid === undefined) {
      throw await new Promise<Error>((resolve) =>
        child.once('error', (err) => resolve(new Error(`${command}: ${err.message}`))),
      );
    }
    const stderr: Buffer[] = [];
    const keep = (b: Buffer) => stderr.push(b);
    child.stderr?.on('data', keep);
    child.unref();
    (child.stderr as net.Socket | null)?.unref();
    try {
      await untilListening(child, ports);
      // read on, and forget, what it writes from now on
      child.stderr?.off('data', keep).resume();
      return { ports, pid: child.pid, stop: (signal) => stopChild(child, signal) };
    } catch (err) {
      lastError = new Error(`${command}: ${(err as Error).message}: ${Buffer.concat(stderr).toString('utf8').trim()}`);
      await stopChild(child, 'SIGKILL');
    }
  }
  throw lastError;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once every port accepts a connection; rejects when the child exits first or after `timeoutMs`. */
async function untilListening(child: ChildProcess, ports: readonly number[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = [...ports];
  while (pending.length > 0) {
    if (hasExited(child)) throw new Error(`exited before listening on ${ports.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`not listening on ${pending.join(', ')} after ${timeoutMs} ms`);
    if (await accepts(pending[0]!)) pending.shift();
    else await new Promise((r) => setTimeout(r, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends `signal` to the child and resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (hasExited(child)) return;
  const exited = exitOf(child);
  // an unref'd server would otherwise let this process end before the 'exit' event, in the middle of the await
  child.ref();
  child.kill(signal);
  await exited;
}

/** Sends `signal` to every owned child that is still running. */
export function signalChildren(signal: NodeJS.Signals): void {
  for (const child of live) child.kill(signal);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitOf(child: ChildProcess): Promise<void> {
  return hasExited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM to all, STOP_GRACE_MS for them to exit, SIGKILL to the rest. */
async function stopAll(): Promise<void> {
  const exits = Promise.all([...live].map(exitOf));
  signalChildren('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exits, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
  clearTimeout(timer);
  signalChildren('SIGKILL');
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  // normal end, process.exit(), uncaught exception, unhandled rejection: no waiting possible here, only signals
  process.on('exit', () => signalChildren('SIGTERM'));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C reaches every process of the group, and may come twice: one cleanup
    if (stopping) return;
    stopping = true;
    void stopAll().then(() => {
      for (const s of signals) process.off(s, onSignal);
      process.kill(process.pid, signal);
    });
  };
  for (const s of signals) process.on(s, onSignal);
}
