/**
 * MONITOR, compared with redis-server: the same commands run against both servers while a raw client monitors;
 * the lines must be equal once the timestamp and the client's port are set aside. Plus redis-cli's `monitor`.
 */
import { spawn } from 'node:child_process';
import { describeWithTool } from '../helpers/redis-server';
import { RawClient, startTestServer, type TestServer, useServerPair } from './harness';

/** What the monitor saw while `client` sent each line (one reply each), then a final marker. */
async function monitored(port: number, lines: readonly string[]): Promise<string[]> {
  const mon = await RawClient.connect(port);
  const client = await RawClient.connect(port);
  const hello3 = await RawClient.connect(port);
  try {
    expect(await mon.call('MONITOR\r\n')).toEqual(['OK']);
    for (const l of lines) await client.call(`${l}\r\n`);
    // a RESP3 client's HELLO, with credentials that must not show
    await hello3.call('HELLO 3 AUTH default secret\r\n');
    await client.call('ECHO end-of-test\r\n');
    const out: string[] = [];
    while (!out.at(-1)?.endsWith('"end-of-test"')) out.push(...((await mon.read(1)) as string[]));
    return out;
  } finally {
    mon.close();
    client.close();
    hello3.close();
  }
}

const LINE = /^(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:\d+\] (.*)$/;

describeWithTool('redis-server')('MONITOR, like redis-server', () => {
  const servers = useServerPair();

  it('shows what ran, after it ran, with Redis quoting, redaction and omissions', async () => {
    const lines = [
      'SET "a b" "x\\ny\\"\\\\\\x01\\xff\\t\\r\\a\\b"',
      'SELECT 2',
      'GET k',
      'SELECT 0',
      'MULTI',
      'SET m 1',
      'INCR m',
      'EXEC',
      'NOSUCHCMD x',
      'GET',
      'AUTH foo',
      'AUTH default foo',
      'PING',
      'CONFIG GET maxclients',
      'CLIENT LIST',
      'CLIENT SETNAME monitored',
      'CLIENT GETNAME',
      'SWAPDB 0 0',
      'INFO server',
      'HSET h f v',
      'ZADD z 1 a',
      'ZRANGEBYLEX z - +',
      'SET k v',
      'INCR k',
      'FLUSHDB',
      'MONITOR',
    ];
    const start = Date.now();
    const theirs = await monitored(servers.redisPort, lines);
    const mine = await monitored(servers.oursPort, lines);
    const strip = (l: string) => {
      const m = LINE.exec(l);
      if (!m) throw new Error(`not a MONITOR line: ${l}`);
      return `[${m[3]}] ${m[4]}`;
    };
    expect(mine.map(strip)).toEqual(theirs.map(strip));
    for (const l of mine) {
      const [, sec] = LINE.exec(l)!;
      expect(Math.abs(Number(sec) * 1000 - start)).toBeLessThan(60_000);
    }
  });
});

describeWithTool('redis-cli')("redis-cli's monitor", () => {
  let ours: TestServer;
  beforeAll(async () => {
    ours = await startTestServer();
  });
  afterAll(async () => {
    await ours?.stop();
  });

  it('prints the commands that other clients run', async () => {
    const cli = spawn('redis-cli', ['-p', String(ours.port), 'monitor']);
    let out = '';
    cli.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!out.startsWith('OK') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const c = await RawClient.connect(ours.port);
      await c.call('SET greeting "hello world"\r\nGET greeting\r\n', 2);
      c.close();
      while (!out.includes('"GET"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe('OK');
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "greeting" "hello world"$/),
        expect.stringMatching(/^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "GET" "greeting"$/),
      ]);
      // CLIENT LIST marks the monitor with flag O
      const o = await RawClient.connect(ours.port);
      const [list] = await o.call('CLIENT LIST\r\n');
      o.close();
      expect(String(list)).toMatch(/ flags=O /);
    } finally {
      cli.kill();
    }
  });
});
