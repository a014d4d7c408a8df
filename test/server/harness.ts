/**
 * Starts our RESP server in-process on a free loopback port, and a raw socket client that sends bytes and
 * collects decoded replies (for protocol-level assertions that real client libraries would hide).
 */
import net from 'node:net';
import { RuntimeConfig } from '../../src/engine/commands/server/runtime-config';
import { serverStateOf } from '../../src/engine/commands/server/server-state';
import type { Engine } from '../../src/engine/engine';
import { RespServer } from '../../src/server/server';
import { createEngine } from '../../src/service/create-engine';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { type Decoded, RespReader } from '../protocol/resp-reader';

export interface TestServer {
  engine: Engine;
  server: RespServer;
  port: number;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestServer(config: Record<string, string | number> = {}): Promise<TestServer> {
  const engine = createEngine();
  serverStateOf(engine).config = new RuntimeConfig(config);
  const logs: string[] = [];
  const server = new RespServer(engine, { log: (m) => logs.push(m) });
  const port = await server.listen(0, '127.0.0.1');
  return { engine, server, port, logs, stop: () => server.close() };
}

/**
 * For suites that compare our server with redis-server: both started in beforeAll, stopped in afterAll. The ports
 * are read inside tests.
 */
export function useServerPair(): { readonly redisPort: number; readonly oursPort: number } {
  let redis: RedisServerHandle | undefined;
  let ours: TestServer | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
    ours = await startTestServer();
  });
  afterAll(async () => {
    await ours?.stop();
    await redis?.stop();
  });
  return {
    get redisPort() {
      if (!redis) throw new Error('the servers are only available inside tests');
      return redis.port;
    },
    get oursPort() {
      if (!ours) throw new Error('the servers are only available inside tests');
      return ours.port;
    },
  };
}

export class RawClient {
  readonly socket: net.Socket;
  private readonly reader = new RespReader();
  private replies: Decoded[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  bytesReceived = 0;

  private constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.bytesReceived += d.length;
      this.reader.feed(d);
      this.replies.push(...this.reader.drain());
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    const c = new RawClient(port);
    return new Promise((resolve, reject) => {
      c.socket.once('connect', () => resolve(c));
      c.socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits for n replies (or the connection closing) and returns them. */
  async read(n: number, timeoutMs = 5000): Promise<Decoded[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n && !this.closed) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} replies, got ${this.replies.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies.splice(0, n);
  }

  /** replies received and not read yet */
  get pending(): number {
    return this.replies.length;
  }

  /** Sends and reads n replies. */
  async call(data: string | Buffer, n = 1): Promise<Decoded[]> {
    this.send(data);
    return this.read(n);
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Encodes a command as RESP multibulk. */
export function cmd(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
