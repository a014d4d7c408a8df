/**
 * Differential-testing plumbing: everything is compared in the form a RESP2 client would receive.
 *
 * - `Resp2` is one RESP2 reply, exactly: simple string, error (full text), integer (bigint), bulk (bytes),
 *   nil bulk ($-1), nil array (*-1) and arrays.
 * - `toResp2(reply)` turns the engine's typed Reply into that form the way Redis downgrades RESP3 types:
 *   map → flat array, set/push → array, double → bulk "%.17g" (formatDouble), bool → :1/:0, verbatim → bulk.
 * - `Resp2Client` is a tiny raw RESP2 client over a socket (no client library in the way), so the oracle's
 *   replies are exactly the bytes redis-server sent.
 * - A `Target` is anything that runs one command and answers in RESP2 form: the in-process engine, the real
 *   redis-server, or later our own RESP server over the wire.
 */

import net from 'node:net';
import type { Engine } from '../../src/engine/engine';
import { formatDouble } from '../../src/engine/numbers';
import type { Reply } from '../../src/engine/reply';
import { type RedisServerHandle, startRedisServer } from './redis-server';

export type Resp2 =
  | { readonly t: '+'; readonly v: string }
  | { readonly t: '-'; readonly v: string }
  | { readonly t: ':'; readonly v: bigint }
  | { readonly t: '$'; readonly v: Buffer }
  | { readonly t: 'nil' }
  | { readonly t: 'nilarray' }
  | { readonly t: '*'; readonly v: readonly Resp2[] };

export type Target = (argv: Buffer[]) => Promise<Resp2>;

const NIL: Resp2 = { t: 'nil' };
const bulk = (v: Buffer | string): Resp2 => ({ t: '$', v: Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1') });

/** The engine's typed reply as a RESP2 client would see it. */
export function toResp2(r: Reply): Resp2 {
  switch (r.t) {
    case 'simple':
      return { t: '+', v: r.v };
    case 'error':
      return { t: '-', v: r.v };
    case 'int':
      return { t: ':', v: BigInt(r.v) };
    case 'bulk':
      return bulk(r.v);
    case 'null':
      return NIL;
    case 'nullarray':
      return { t: 'nilarray' };
    case 'array':
    case 'set':
    case 'push':
      return { t: '*', v: r.v.map(toResp2) };
    case 'map':
      return { t: '*', v: r.v.flatMap(([k, v]) => [toResp2(k), toResp2(v)]) };
    case 'double':
      return bulk(formatDouble(r.v));
    case 'bool':
      return { t: ':', v: r.v ? 1n : 0n };
    case 'verbatim':
      return bulk(r.v);
  }
}

/** Runs commands on an in-process engine (RESP2 session, the engine's own clock). */
export function engineTarget(engine: Engine): Target {
  return async (argv) => toResp2(engine.execute(argv));
}

/** The exact RESP2 wire encoding of a reply; two replies are equal iff their encodings are. */
export function encodeResp2(r: Resp2): string {
  switch (r.t) {
    case '+':
      return `+${r.v}\r\n`;
    case '-':
      return `-${r.v}\r\n`;
    case ':':
      return `:${r.v}\r\n`;
    case '$':
      return `$${r.v.length}\r\n${r.v.toString('latin1')}\r\n`;
    case 'nil':
      return '$-1\r\n';
    case 'nilarray':
      return '*-1\r\n';
    case '*':
      return `*${r.v.length}\r\n${r.v.map(encodeResp2).join('')}`;
  }
}

/** A short, unambiguous, one-line rendering for failure messages (non-printable bytes as \xNN). */
export function showResp2(r: Resp2): string {
  switch (r.t) {
    case '+':
      return `+${r.v}`;
    case '-':
      return `(error) ${r.v}`;
    case ':':
      return `(integer) ${r.v}`;
    case '$':
      return JSON.stringify(printable(r.v));
    case 'nil':
      return '(nil)';
    case 'nilarray':
      return '(nil array)';
    case '*':
      return `[${r.v.map(showResp2).join(', ')}]`;
  }
}

export function printable(b: Buffer): string {
  let s = '';
  for (const c of b)
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return s;
}

/** A command line in redis-cli style (quoted, with \xNN escapes), for reproducers. */
export function showArgv(argv: readonly Buffer[]): string {
  return argv.map((a) => `"${printable(a).replace(/"/g, '\\"')}"`).join(' ');
}

export const isError = (r: Resp2): boolean => r.t === '-';

/**
 * A minimal pipelining RESP2 client: `call` writes one command and resolves with its reply, in order.
 */
export class Resp2Client {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (r: Resp2) => void; reject: (e: Error) => void }> = [];
  private closed: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    const fail = (e: Error) => {
      this.closed = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<Resp2Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => resolve(new Resp2Client(s)));
      s.once('error', reject);
    });
  }

  call(argv: readonly Buffer[]): Promise<Resp2> {
    if (this.closed) return Promise.reject(this.closed);
    const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
    for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat(parts));
    });
  }

  get target(): Target {
    return (argv) => this.call(argv);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const parsed = parseResp2(this.buf, 0);
      if (!parsed) return;
      this.buf = this.buf.subarray(parsed.end);
      this.waiting.shift()?.resolve(parsed.value);
    }
  }
}

/** Parses one RESP2 reply at `pos`; undefined when the buffer does not hold a complete one yet. */
export function parseResp2(buf: Buffer, pos: number): { value: Resp2; end: number } | undefined {
  const eol = buf.indexOf('\r\n', pos, 'latin1');
  if (eol < 0) return undefined;
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (buf[pos]) {
    case 0x2b:
      return { value: { t: '+', v: line }, end: next };
    case 0x2d:
      return { value: { t: '-', v: line }, end: next };
    case 0x3a:
      return { value: { t: ':', v: BigInt(line) }, end: next };
    case 0x24: {
      const n = Number(line);
      if (n < 0) return { value: NIL, end: next };
      if (buf.length < next + n + 2) return undefined;
      return { value: bulk(Buffer.from(buf.subarray(next, next + n))), end: next + n + 2 };
    }
    case 0x2a: {
      const n = Number(line);
      if (n < 0) return { value: { t: 'nilarray' }, end: next };
      const items: Resp2[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const item = parseResp2(buf, p);
        if (!item) return undefined;
        items.push(item.value);
        p = item.end;
      }
      return { value: { t: '*', v: items }, end: p };
    }
    default:
      throw new Error(`bad RESP2 type byte ${buf[pos]} at ${pos}`);
  }
}

/**
 * Inside a describe: starts a real redis-server before the suite and stops it after; returns an accessor for a
 * raw RESP2 client connected to it.
 */
export function useOracleClient(): () => Resp2Client {
  let server: RedisServerHandle | undefined;
  let client: Resp2Client | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await Resp2Client.connect(server.port);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  return () => {
    if (!client) throw new Error('the oracle client is only available inside tests');
    return client;
  };
}
