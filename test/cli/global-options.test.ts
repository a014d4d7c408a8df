/**
 * The client commands' global options (--url, --token, --help) before the command name, as in git and the AWS CLI,
 * and still after it: the built CLI (bin/s3-index.js) as a user runs it, against a real HTTP server with tokens.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { HttpServerHandle } from '../../src/http/node-server';
import { appHarness, bearer, RW_TOKEN, serveApp, TEST_TOKENS } from '../http/harness';
import { createdEvent } from '../http/index-fixture';

const root = path.join(__dirname, '../..');
let server: HttpServerHandle & { url: string };

interface Result {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `s3-index args…` without S3_INDEX_URL/S3_INDEX_TOKEN in its environment (the options must do it). */
function cli(...args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('S3_INDEX_')) env[k] = v;
  return new Promise((resolve, reject) => {
    // asynchronous: the server answering it runs in this process
    const proc = spawn(process.execPath, ['bin/s3-index.js', ...args], { cwd: root, env });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
  const h = appHarness({ tokens: TEST_TOKENS });
  const events = ['r/a.txt', 'r/b.txt', 'top.txt'].map((k) => createdEvent('global-bucket', k, { size: 10 }));
  expect((await h.post('/v1/events', events, bearer(RW_TOKEN))).status).toBe(200);
  server = await serveApp(h);
});
afterAll(() => server.close());

const STATS = `${JSON.stringify({ objects: 2, bytes: 20 })}\n`;

describe('global options', () => {
  it('--url and --token before the command name', async () => {
    expect(await cli('--url', server.url, '--token', RW_TOKEN, 'stats', 'global-bucket', 'r/')).toEqual({
      code: 0,
      out: STATS,
      err: '',
    });
    const ls = await cli(`--url=${server.url}`, `--token=${RW_TOKEN}`, 'ls', 's3://global-bucket/');
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/^ +PRE r\/\n.* top\.txt\n$/);
  });

  it('--url and --token after the command name, as before', async () => {
    expect(await cli('stats', 'global-bucket', 'r/', '--url', server.url, '--token', RW_TOKEN)).toEqual({
      code: 0,
      out: STATS,
      err: '',
    });
  });

  it('mixed: one before, one after; given on both sides, the one after the command wins', async () => {
    expect((await cli('--token', RW_TOKEN, 'stats', 'global-bucket', 'r/', '--url', server.url)).out).toBe(STATS);
    const r = await cli(
      '--url',
      'http://127.0.0.1:9',
      '--token',
      RW_TOKEN,
      'stats',
      'global-bucket',
      'r/',
      '--url',
      server.url,
    );
    expect(r).toEqual({ code: 0, out: STATS, err: '' });
  });

  it('the options before the command really reach it (no token: 401; a wrong URL: unreachable)', async () => {
    const noToken = await cli('--url', server.url, 'stats', 'global-bucket');
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(/unauthorized/);
    const unreachable = await cli('--url', 'http://127.0.0.1:9', '--token', RW_TOKEN, 'ls', 's3://global-bucket/');
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('an unknown option before the command: a clear error, exit 2, and no value echoed', async () => {
    const r = await cli('--bogus', 'stats', 'global-bucket');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toBe(
      "s3-index: unknown option '--bogus' before the command (global options: --url, --token, --help)",
    );
    const secret = await cli('--tokn=SECRET-value-0123', 'stats', 'global-bucket');
    expect(secret.code).toBe(2);
    expect(secret.err).toMatch(/unknown option '--tokn'/);
    expect(secret.err).not.toContain('SECRET-value-0123');
  });

  it('a global option missing its value, or without a command, exits 2', async () => {
    const missing = await cli('--url');
    expect(missing.code).toBe(2);
    expect(missing.err.split('\n')[0]).toBe('s3-index: --url needs a value');
    const noCommand = await cli('--url', server.url);
    expect(noCommand.code).toBe(2);
    expect(noCommand.err.split('\n')[0]).toBe('s3-index: no command given');
  });

  it('--help before or after a client command prints the usage and exits 0', async () => {
    for (const args of [['--help', 'ls'], ['ls', '--help'], ['-h', 'stats'], ['--help']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/ls BUCKET\[\/PREFIX\]/);
      expect(r.out).toMatch(/global options \(before or after the command\)/);
      expect(r.err).toBe('');
    }
  });

  it('serve takes none of them', async () => {
    const r = await cli('--url', server.url, 'serve');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('s3-index: --url is an option of the client commands');
  });
});
