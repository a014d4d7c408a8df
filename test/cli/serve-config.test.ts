/**
 * `s3-index serve` starts whole or not at all. For each kind of invalid configuration, and for a port already taken,
 * the built CLI (bin/s3-index.js, as a user runs it) exits non-zero after exactly one line on stderr that names the
 * problem and repeats no password or token, and no port accepts a connection: the ports are probed with
 * net.connect the whole time the process runs and again after it has exited. A valid configuration run through the
 * same probe shows both ports open, so the probe does see a port that opens, however briefly.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.join(__dirname, '../..');

// generous: the machines that run this may be busy, and a process that never exits is caught all the same
const TEST_TIMEOUT_MS = 45_000;

// valid secrets, each of which must never show in a message
const TOKEN = 'Tok3n-SECRET-0123456789';
const PASSWORD = 'pa55-SECRET-word';

/**
 * True when something accepts a TCP connection on 127.0.0.1:port. A probe of a closed port in the ephemeral range can
 * connect to itself (Linux's TCP simultaneous open, when the kernel happens to pick the destination port as the
 * source port): such a connection has the same port at both ends and is not a listener, so it does not count.
 */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      const selfConnected = s.localPort === s.remotePort && s.localAddress === s.remoteAddress;
      s.destroy();
      resolve(!selfConnected);
    });
    s.once('error', () => resolve(false));
  });
}

/** The environment without the caller's own S3_INDEX_* settings, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('S3_INDEX_')) out[k] = v;
  return { ...out, ...env };
}

interface Run {
  code: number | null;
  stderr: string;
  /** ports seen accepting a connection while the process ran */
  openWhileRunning: number[];
  /** ports accepting a connection after it exited */
  openAfterExit: number[];
  /** it had not exited after `timeoutMs` (and was stopped) */
  timedOut: boolean;
}

/**
 * Runs `s3-index serve args…` and probes `ports` every few milliseconds until it exits. With `stopWhenOpen` it is
 * sent SIGTERM once every port has been seen open and it has said it is listening (the valid configuration).
 */
async function serve(
  args: string[],
  env: Record<string, string>,
  ports: number[],
  opts: { stopWhenOpen?: boolean; timeoutMs?: number } = {},
): Promise<Run> {
  const proc: ChildProcess = spawn(process.execPath, ['bin/s3-index.js', 'serve', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: cleanEnv(env),
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  // 'close': after the exit and the end of its output
  const closed = new Promise<number | null>((resolve) =>
    proc.once('close', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const opened = new Set<number>();
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let timedOut = false;
  let stopping = false;
  while (!exited) {
    for (const p of ports) if (!exited && (await accepts(p))) opened.add(p);
    if (!stopping && opts.stopWhenOpen && ports.every((p) => opened.has(p)) && /listening on/.test(stderr)) {
      stopping = true;
      proc.kill('SIGTERM');
    }
    if (!stopping && Date.now() > deadline) {
      timedOut = true;
      stopping = true;
      proc.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const code = await closed;
  const openAfterExit: number[] = [];
  for (const p of ports) if (await accepts(p)) openAfterExit.push(p);
  return { code, stderr, openWhileRunning: [...opened], openAfterExit, timedOut };
}

/** The run ended by itself, non-zero, with one `s3-index: …` line that repeats none of `secrets`. */
function expectRefused(run: Run, code: number, message: RegExp, secrets: string[]): void {
  expect(run.timedOut).toBe(false);
  expect(run.code).toBe(code);
  expect(run.stderr).toMatch(/^s3-index: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack
  for (const s of secrets) expect(run.stderr).not.toContain(s);
}

let respPort: number;
let httpPort: number;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
});

/**
 * A free port below the kernel's ephemeral range (32768–60999 on Linux). The suites running beside this one take
 * their ports with listen(0), from the ephemeral range, so one of theirs could open on a port of ours in the middle
 * of a probe and make a refused start look like one that opened a port; none of them listens down here.
 */
async function quietPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

beforeEach(async () => {
  respPort = await quietPort();
  httpPort = await quietPort();
  while (httpPort === respPort) httpPort = await quietPort();
});

const ports = () => ['--resp-port', String(respPort), '--http-port', String(httpPort)];
const valid = { S3_INDEX_API_TOKENS: `rw:${TOKEN}`, S3_INDEX_REQUIREPASS: PASSWORD };

describe('s3-index serve with a valid configuration (the probe sees ports that open)', () => {
  it(
    'opens both ports, and exits 0 on SIGTERM',
    async () => {
      const run = await serve(ports(), valid, [respPort, httpPort], { stopWhenOpen: true });
      expect(run.timedOut).toBe(false);
      expect(run.openWhileRunning.sort()).toEqual([respPort, httpPort].sort());
      expect(run.code).toBe(0);
      expect(run.openAfterExit).toEqual([]);
      for (const s of [TOKEN, PASSWORD]) expect(run.stderr).not.toContain(s);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('s3-index serve with an invalid configuration opens no port and exits 2 with one line', () => {
  // each case: what is wrong, extra flags, the environment (over `valid`), the message, secrets it must not show
  const cases: Array<[string, string[], Record<string, string>, RegExp, string[]]> = [
    [
      'a malformed token in S3_INDEX_API_TOKENS',
      [],
      { S3_INDEX_API_TOKENS: `rw:${TOKEN},ro:Bad/Tok3n-SECRET-01234` },
      /S3_INDEX_API_TOKENS/,
      ['Bad/Tok3n-SECRET-01234'],
    ],
    ['a token too short', [], { S3_INDEX_API_TOKENS: 'ro:x7Qk2Z' }, /S3_INDEX_API_TOKENS/, ['x7Qk2Z']],
    [
      'a token level that does not exist',
      [],
      { S3_INDEX_API_TOKENS: `root:Lvl-SECRET-0123456789` },
      /S3_INDEX_API_TOKENS/,
      ['Lvl-SECRET-0123456789'],
    ],
    ['a RESP port that is not a number', [], { S3_INDEX_RESP_PORT: 'abc' }, /S3_INDEX_RESP_PORT: 'abc'/, []],
    ['an HTTP port out of range', ['--http-port', '70000'], {}, /--http-port: '70000' is not a port number/, []],
    ['the same port twice', ['--http-port', 'RESP'], {}, /RESP and the HTTP port are both/, []],
    [
      'a non-loopback host without a password',
      ['--host', '0.0.0.0'],
      { S3_INDEX_REQUIREPASS: '' },
      /refusing to listen on 0\.0\.0\.0 without a password/,
      [],
    ],
    [
      'a non-loopback host without API tokens',
      ['--host', '0.0.0.0'],
      { S3_INDEX_API_TOKENS: '' },
      /refusing to serve the HTTP API on 0\.0\.0\.0 without authentication/,
      [],
    ],
    ['maxclients that is not a number', [], { S3_INDEX_MAXCLIENTS: 'abc' }, /S3_INDEX_MAXCLIENTS: 'abc'/, []],
    [
      'a negative HTTP body limit',
      [],
      { S3_INDEX_HTTP_MAX_BODY_BYTES: '-1' },
      /S3_INDEX_HTTP_MAX_BODY_BYTES: '-1' is not a positive integer/,
      [],
    ],
    ['an HTTP pipeline limit of 0', [], { S3_INDEX_HTTP_MAX_PIPELINE: '0' }, /S3_INDEX_HTTP_MAX_PIPELINE: '0'/, []],
    ['a response cache size in words', [], { S3_INDEX_HTTP_CACHE_BYTES: 'lots' }, /S3_INDEX_HTTP_CACHE_BYTES/, []],
    ['a bulk length below 1 MB', ['--proto-max-bulk-len', '1kb'], {}, /--proto-max-bulk-len: '1kb'/, []],
    ['an unknown flag', ['--bogus'], {}, /unknown option '--bogus'/, []],
    [
      'a misspelt flag carrying a password',
      [`--requirepas=${PASSWORD}x`],
      {},
      /unknown option '--requirepas'/,
      [`${PASSWORD}x`],
    ],
    ['a flag without its value', ['--maxclients'], {}, /--maxclients needs a value/, []],
  ];

  it.each(cases)(
    '%s',
    async (_what, flags, env, message, secrets) => {
      const args = [...ports(), ...flags.map((f) => (f === 'RESP' ? String(respPort) : f))];
      const run = await serve(args, { ...valid, ...env }, [respPort, httpPort]);
      expectRefused(run, 2, message, [TOKEN, PASSWORD, ...secrets]);
      expect(run.openWhileRunning).toEqual([]);
      expect(run.openAfterExit).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('s3-index serve with a port already taken exits 1 and leaves the other port closed', () => {
  let holder: net.Server;
  const hold = (port: number) =>
    new Promise<void>((resolve) => {
      holder = net.createServer((s) => s.destroy()).listen(port, '127.0.0.1', resolve);
    });
  afterEach(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it(
    'the HTTP port: the RESP port, opened first, is closed again before the exit',
    async () => {
      await hold(httpPort);
      // RESP listens first, so it may accept for a moment; what matters is that it does not outlive the failure
      const run = await serve(ports(), valid, [respPort]);
      expectRefused(run, 1, new RegExp(`^s3-index: HTTP port ${httpPort} is in use\n$`), [TOKEN, PASSWORD]);
      expect(run.openAfterExit).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the RESP port: the HTTP port never opens',
    async () => {
      await hold(respPort);
      const run = await serve(ports(), valid, [httpPort]);
      expectRefused(run, 1, new RegExp(`^s3-index: RESP port ${respPort} is in use\n$`), [TOKEN, PASSWORD]);
      expect(run.openWhileRunning).toEqual([]);
      expect(run.openAfterExit).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
