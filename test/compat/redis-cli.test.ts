/**
 * redis-cli against our server, compared output-for-output with redis-server: argument mode, commands read
 * from stdin (redis-cli's interactive syntax, quoting included), RESP3 (-3) and --pipe mass insertion.
 */
import { spawn } from 'node:child_process';
import { describeWithTool, hasTool, startRedisServer } from '../helpers/redis-server';
import { startTestServer } from '../server/harness';

function redisCli(port: number, args: string[], input?: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ out, code: code ?? -1 }));
    // in argument mode redis-cli may exit before reading stdin: an EPIPE there is not a failure (its output and exit
    // code are what the tests check)
    p.stdin.on('error', () => undefined);
    p.stdin.end(input ?? '');
  });
}

describeWithTool('redis-cli')('redis-cli', () => {
  let ours: Awaited<ReturnType<typeof startTestServer>>;
  let oracle: Awaited<ReturnType<typeof startRedisServer>> | undefined;

  beforeAll(async () => {
    ours = await startTestServer();
    if (hasTool('redis-server') || process.env.CI === 'true') oracle = await startRedisServer();
  });
  afterAll(async () => {
    await ours.stop();
    await oracle?.stop();
  });

  /** Runs the same redis-cli invocation against both servers; returns our output after comparing. */
  async function both(args: string[], input?: string): Promise<string> {
    const a = await redisCli(ours.port, args, input);
    if (oracle) {
      const b = await redisCli(oracle.port, args, input);
      expect(a.out).toBe(b.out);
    }
    return a.out;
  }

  it('argument mode', async () => {
    expect(await both(['set', 'cli:k', 'hello world'])).toBe('OK\n');
    expect(await both(['get', 'cli:k'])).toBe('hello world\n');
    expect(await both(['incr', 'cli:k'])).toBe('ERR value is not an integer or out of range\n\n');
    expect(await both(['zadd', 'cli:z', '0', 'b', '0', 'a'])).toBe('2\n');
    expect(await both(['zrangebylex', 'cli:z', '-', '+', 'LIMIT', '0', '10'])).toBe('a\nb\n');
    expect(await both(['hello', '4'])).toBe('NOPROTO unsupported protocol version\n\n');
    expect(await both(['nosuch', 'x'])).toBe("ERR unknown command 'nosuch', with args beginning with: 'x' \n\n");
  });

  it('commands from stdin, with quoting', async () => {
    const script = 'set cli:q "a \\"quoted\\" \\x41"\nget cli:q\necho \'single q\'\nping\nmulti\nping\nexec\n';
    expect(await both([], script)).toBe('OK\na "quoted" A\nsingle q\nPONG\nOK\nQUEUED\nPONG\n');
  });

  it('RESP3 mode (-3) renders maps', async () => {
    await both(['zadd', 'cli:d', '1.5', 'm']);
    // Redis 7.0 still answers ZSCORE with a bulk string in RESP3
    expect(await both(['-3', 'zscore', 'cli:d', 'm'])).toBe('1.5\n');
    expect(await both(['--no-raw', '-3', 'config', 'get', 'maxclients'])).toBe('1# "maxclients" => "10000"\n');
    expect(await both(['--no-raw', '-3', 'hget', 'cli:none', 'f'])).toBe('(nil)\n');
    expect((await redisCli(ours.port, ['-3', 'hello', '3'])).out).toMatch(/^server redis\nversion 7\.0\.15\nproto 3\n/);
  });

  it('--pipe mass insertion', async () => {
    let input = '';
    for (let i = 0; i < 2000; i++)
      input += `*4\r\n$4\r\nZADD\r\n$6\r\ncli:pz\r\n$1\r\n0\r\n$${String(i).length}\r\n${i}\r\n`;
    const r = await redisCli(ours.port, ['--pipe'], input);
    expect(r.out).toMatch(/errors: 0, replies: 2000/);
    expect((await redisCli(ours.port, ['zcard', 'cli:pz'])).out).toBe('2000\n');
  });
});
