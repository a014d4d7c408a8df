/**
 * A child `s3-index serve` process for end-to-end tests, started from the built CLI (dist/, built by buildCli()):
 *
 * - startServeChild(): a server on ports the system picks (port 0), learnt from the line it writes once both listen
 *   (picking free ports here and passing them on raced other suites' servers, which could take one meanwhile and
 *   answer /healthz in its place); ready once GET /healthz answers 200 {"status":"ok"} (the server may listen before
 *   it has restored its state, answering 503 meanwhile), or once a line of its stderr matches; with its stderr kept,
 *   its exit (code or signal) and a kill that waits for it.
 * - runServe(): a `serve` expected to stop by itself (a start refused with one line): its exit and its stderr.
 * - killServeChildren(): for afterAll, every child started here that is still running.
 *
 * Plus a minimal RESP client that does not reconnect or retry, so a reply is exactly what the server answered before
 * it died.
 *
 * By default the child is the server itself, not bin/s3-index.js's launcher: the young-generation flag that the
 * launcher would add is given here, so a SIGKILL reaches the process that holds the data directory. `launcher: true`
 * runs the command as a user does, without the flag: the launcher then runs the server in a child of its own, passes
 * signals on, and exits as it does.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.join(__dirname, '../..');

/** Builds dist/ (scripts/build.mjs), which bin/s3-index.js runs: for beforeAll. */
export function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}

export interface Exit {
  /** the exit code, or null when a signal ended it */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServeChild {
  proc: ChildProcess;
  /** 0 when it serves no RESP port (--redis-url) */
  respPort: number;
  httpPort: number;
  /** what the child wrote to stderr so far */
  stderr(): string;
  /** the exit, once its stderr is read to the end */
  exited: Promise<Exit>;
  alive(): boolean;
  /** Sends `signal` (SIGKILL by default) unless it has exited, and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  /** Waits until GET /healthz answers 200 with status ok, and resolves with that answer's body. */
  untilHealthy(timeoutMs?: number): Promise<unknown>;
}

export interface ServeOptions {
  /** --data-dir */
  dataDir?: string;
  /** more `serve` arguments, after the ports (and --data-dir) */
  args?: string[];
  /** over process.env and S3_INDEX_API_TOKENS='' (an open API); undefined removes a variable */
  env?: Record<string, string | undefined>;
  /** run bin/s3-index.js as a user does, through its launcher (see above); false by default */
  launcher?: boolean;
  /** the young generation given to the server when it is started without the launcher (MB); 16 by default */
  semiSpaceMb?: number;
  /** how long the start (or for runServe, the whole run) may take (ms); 20 s by default */
  timeoutMs?: number;
}

export interface StartOptions extends ServeOptions {
  /** ready when /healthz says ok (the default), or when the stderr written so far matches this */
  readyWhen?: 'healthy' | RegExp;
}

const DEFAULT_TIMEOUT = 20_000;

function spawnServe(args: string[], opts: ServeOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, S3_INDEX_API_TOKENS: '' };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const node = opts.launcher ? [] : [`--max-semi-space-size=${opts.semiSpaceMb ?? 16}`];
  const data = opts.dataDir !== undefined ? ['--data-dir', opts.dataDir] : [];
  return spawn(process.execPath, [...node, 'bin/s3-index.js', 'serve', ...args, ...data, ...(opts.args ?? [])], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
}

/** Its stderr as it comes, and its exit ('close': exited, and its stderr read to the end). */
function watch(proc: ChildProcess): { stderr: () => string; exited: Promise<Exit> } {
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  return { stderr: () => err, exited };
}

const live = new Set<ServeChild>();

/**
 * Starts `s3-index serve` on free ports and resolves once it is ready (see StartOptions.readyWhen); rejects with its
 * stderr if it exits first or is not ready in time (then it is killed).
 */
export async function startServeChild(opts: StartOptions = {}): Promise<ServeChild> {
  const proc = spawnServe(['--resp-port', '0', '--http-port', '0'], opts);
  const { stderr, exited } = watch(proc);
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const child: ServeChild = {
    proc,
    respPort: 0,
    httpPort: 0,
    stderr,
    exited,
    alive: () => !done,
    kill: (signal = 'SIGKILL') => {
      if (!done) proc.kill(signal);
      return exited;
    },
    untilHealthy: (timeoutMs = DEFAULT_TIMEOUT) => untilHealthy(child, timeoutMs),
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  const readyWhen = opts.readyWhen ?? 'healthy';
  try {
    await untilLine(child, LISTENING, timeoutMs);
    const ports = portsOf(stderr());
    child.respPort = ports.resp;
    child.httpPort = ports.http;
    if (readyWhen === 'healthy') await untilHealthy(child, timeoutMs);
    else await untilLine(child, readyWhen, timeoutMs);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return child;
}

/**
 * The lines serve writes once its ports listen (src/cli/serve.ts): before loading a store ("RESP port R and HTTP port
 * H answer LOADING meanwhile"), else when ready ("RESP server listening on host:R…; HTTP API on http://host:H"), or
 * without a RESP port ("HTTP API on http://host:H (no RESP port…").
 */
const LOADING_PORTS = /RESP port (\d+) and HTTP port (\d+) answer LOADING/;
const LISTENING_PORTS = /RESP server listening on [^\s]+:(\d+)[^\n]*; HTTP API on http:\/\/[^\s]+:(\d+)/;
const HTTP_ONLY_PORT = /HTTP API on http:\/\/[^\s]+:(\d+) \(no RESP port/;
const LISTENING = new RegExp(`${LOADING_PORTS.source}|${LISTENING_PORTS.source}|${HTTP_ONLY_PORT.source}`);

function portsOf(stderr: string): { resp: number; http: number } {
  const m = LOADING_PORTS.exec(stderr) ?? LISTENING_PORTS.exec(stderr);
  if (m !== null) return { resp: Number(m[1]), http: Number(m[2]) };
  const h = HTTP_ONLY_PORT.exec(stderr);
  if (h !== null) return { resp: 0, http: Number(h[1]) };
  throw new Error(`serve wrote no ports: ${stderr}`);
}

async function untilHealthy(child: ServeChild, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.alive()) {
      const how = await child.exited;
      throw new Error(`serve exited (${how.signal ?? how.code}) before it was ready: ${child.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`serve was not ready within ${timeoutMs} ms: ${child.stderr()}`);
    const body = await fetch(`http://127.0.0.1:${child.httpPort}/healthz`).then(
      async (res) => {
        if (res.status !== 200) return undefined;
        const b = (await res.json()) as { status?: string };
        return b.status === 'ok' ? b : undefined;
      },
      () => undefined,
    );
    if (body !== undefined) return body;
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Waits until the stderr written so far matches `line`. */
async function untilLine(child: ServeChild, line: RegExp, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let check: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      // after watch()'s listener, which has appended the chunk by then
      check = () => {
        if (line.test(child.stderr())) resolve();
      };
      child.proc.stderr!.on('data', check);
      check();
      timer = setTimeout(
        () => reject(new Error(`serve wrote no line matching ${line} within ${timeoutMs} ms: ${child.stderr()}`)),
        timeoutMs,
      );
      // its stderr is read to the end before the exit is reported: a line it wrote has been seen by then
      void child.exited.then((how) =>
        reject(new Error(`serve exited (${how.signal ?? how.code}) before it was ready: ${child.stderr()}`)),
      );
    });
  } finally {
    clearTimeout(timer);
    if (check !== undefined) child.proc.stderr!.off('data', check);
  }
}

/**
 * Runs `s3-index serve` (on port 0 for RESP and HTTP) until it stops by itself, as a start that is refused does:
 * its exit and its stderr. Killed, and rejected, if it runs longer than the timeout.
 */
export async function runServe(opts: ServeOptions = {}): Promise<Exit & { stderr: string }> {
  const proc = spawnServe(['--resp-port', '0', '--http-port', '0'], opts);
  const { stderr, exited } = watch(proc);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const how = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (how === undefined) {
    proc.kill('SIGKILL');
    await exited;
    throw new Error(`serve was still running after ${timeoutMs} ms: ${stderr()}`);
  }
  return { ...how, stderr: stderr() };
}

/** Kills every child started by startServeChild that is still running, and waits for them: for afterAll. */
export async function killServeChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill()));
}

export type RespValue = string | number | null | Buffer | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

/**
 * A RESP2 client over one connection: commands are written at once (pipelined) and answered in order. When the
 * connection ends, every command still waiting rejects.
 */
export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
  private closed: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (;;) {
        const r = parseReply(this.buf, 0);
        if (r === undefined) break;
        this.buf = this.buf.subarray(r.end);
        this.waiting.shift()?.resolve(r.value);
      }
    });
    const end = (e?: Error) => {
      this.closed ??= e ?? new Error('connection closed');
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RespClient(s));
      });
      s.once('error', reject);
    });
  }

  command(...args: Array<string | number>): Promise<RespValue> {
    if (this.closed !== undefined) return Promise.reject(this.closed);
    const parts = [`*${args.length}\r\n`];
    for (const a of args) {
      const s = String(a);
      parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(parts.join(''));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One reply from `b` at `at`, or undefined when it is not all there yet. Bulk strings come back as text. */
function parseReply(b: Buffer, at: number): { value: RespValue; end: number } | undefined {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const line = b.toString('latin1', at + 1, eol);
  switch (b[at]) {
    case 0x2b: // +
      return { value: line, end: eol + 2 };
    case 0x2d: // -
      return { value: new RespError(line), end: eol + 2 };
    case 0x3a: // :
      return { value: Number(line), end: eol + 2 };
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      if (b.length < eol + 2 + n + 2) return undefined;
      return { value: b.toString('utf8', eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      const out: RespValue[] = [];
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parseReply(b, p);
        if (r === undefined) return undefined;
        out.push(r.value);
        p = r.end;
      }
      return { value: out, end: p };
    }
    default:
      throw new Error(`not a RESP2 reply: ${JSON.stringify(line)}`);
  }
}
