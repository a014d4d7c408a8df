/**
 * A child `s3-index serve` process for end-to-end tests: started from the built CLI (dist/, built by
 * scripts/build.mjs), ready once GET /healthz answers 200 {"status":"ok"} (the server may listen before it has
 * restored its state, answering 503 meanwhile), with its stderr kept. Plus a minimal RESP client that does not
 * reconnect or retry, so a reply is exactly what the server answered before it died.
 *
 * The child is the server itself, not bin/s3-index.js's launcher: the young-generation flag that the launcher would
 * add is given here, so a SIGKILL reaches the process that holds the data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './redis-server';

const root = path.join(__dirname, '../..');

export interface ServeChild {
  proc: ChildProcess;
  respPort: number;
  httpPort: number;
  /** what the child wrote to stderr so far */
  stderr(): string;
  /** the exit: its code, or the signal that ended it */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeChildOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** how long the start may take (ms) */
  timeoutMs?: number;
}

/** Starts `s3-index serve` on free ports and resolves once /healthz says ok; rejects with its stderr if it exits. */
export async function startServeChild(opts: ServeChildOptions = {}): Promise<ServeChild> {
  const respPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === respPort) httpPort = await freePort();
  const proc = spawn(
    process.execPath,
    [
      '--max-semi-space-size=16',
      'bin/s3-index.js',
      'serve',
      '--resp-port',
      String(respPort),
      '--http-port',
      String(httpPort),
      ...(opts.dataDir !== undefined ? ['--data-dir', opts.dataDir] : []),
      ...(opts.args ?? []),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, S3_INDEX_API_TOKENS: '', ...opts.env } },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close': exited, and its stderr read to the end
    proc.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const child: ServeChild = {
    proc,
    respPort,
    httpPort,
    stderr: () => err,
    exited,
    alive: () => !done,
    kill: (signal = 'SIGKILL') => {
      if (!done) proc.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (!child.alive()) {
      const how = await exited;
      throw new Error(`serve exited (${how.signal ?? how.code}) before it was ready: ${err}`);
    }
    if (Date.now() > deadline) {
      await child.kill();
      throw new Error(`serve was not ready within ${opts.timeoutMs ?? 20_000} ms: ${err}`);
    }
    const ok = await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
      async (res) => res.status === 200 && ((await res.json()) as { status?: string }).status === 'ok',
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 15));
  }
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
