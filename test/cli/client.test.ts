/** The client subcommands (ls, head, stats, ingest) against a real HTTP server on a socket. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ClientCommand, lsTime, runClient } from '../../src/cli/client';
import type { HttpServerHandle } from '../../src/http/node-server';
import { appHarness, RO_TOKEN, RW_TOKEN, serveApp, TEST_TOKENS } from '../http/harness';
import { createdEvent } from '../http/index-fixture';

let server: HttpServerHandle & { url: string };
const dir = mkdtempSync(path.join(tmpdir(), 's3-index-cli-'));

beforeAll(async () => {
  server = await serveApp(appHarness({ tokens: TEST_TOKENS }));
});
afterAll(() => server.close());

/** Runs a client command; returns its exit status and what it printed. */
async function run(cmd: ClientCommand, args: string[], opts: { token?: string; stdin?: string; url?: string } = {}) {
  let out = '';
  let err = '';
  const io = {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    stdin: async () => opts.stdin ?? '',
  };
  const env = { S3_INDEX_URL: opts.url ?? server.url, S3_INDEX_TOKEN: opts.token ?? RW_TOKEN };
  const code = await runClient(cmd, args, io, env);
  return { code, out, err };
}

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

/** The names of `ls` object lines ("YYYY-MM-DD HH:MM:SS <size, 10 wide> <name>"). */
const names = (out: string): string[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(31));

const KEYS = ['docs/a.txt', 'docs/b c+d.txt', 'docs/sub/x.bin', 'docs/sub/y.bin', 'docs/ünï/😀.txt', 'top.txt'];

describe('s3-index ingest', () => {
  it('posts each file and prints each outcome; exit 1 when an event was rejected', async () => {
    const a = file(
      'a.json',
      KEYS.slice(0, 3).map((k) => createdEvent('cli-bucket', k, { size: 100 })),
    );
    const b = file('b.json', { Records: [] });
    const r = await run('ingest', [a, b]);
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ file: a, applied: 3, rejected: [] });
    expect(lines[1]).toMatchObject({ file: b, applied: 0 });

    const bad = { ...createdEvent('cli-bucket', 'z'), time: 'yesterday' };
    const stdin = JSON.stringify([...KEYS.slice(3).map((k) => createdEvent('cli-bucket', k, { size: 10 })), bad]);
    const s = await run('ingest', [], { stdin });
    expect(s.code).toBe(1);
    expect(JSON.parse(s.out)).toMatchObject({
      applied: 3,
      rejected: [{ index: 3, reason: 'missing or invalid time' }],
    });
  });

  it('reports unreadable files, a read-only token and an unreachable server', async () => {
    const missing = await run('ingest', [path.join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/cannot read .*nope\.json: ENOENT/);
    const ro = await run('ingest', [file('c.json', createdEvent('cli-bucket', 'q'))], { token: RO_TOKEN });
    expect(ro.code).toBe(1);
    expect(ro.err).toMatch(/^s3-index ingest: .*\(HTTP 403\)/);
    const none = await run('stats', ['cli-bucket'], { token: 'wrong-token-0123456789abcdef' });
    expect(none.err).toMatch(/unauthorized/);
    const down = await run('stats', ['cli-bucket'], { url: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

// `ls` prints local times like the AWS CLI; the expected lines below are in UTC (this machine's and CI's zone)
describe('lsTime', () => {
  it('prints the time in the local zone, or the zone given, as aws s3 ls does', () => {
    expect(lsTime('2024-05-01T12:00:00.000Z', 'UTC')).toBe('2024-05-01 12:00:00');
    expect(lsTime('2024-05-01T20:30:05.000Z', 'Asia/Tokyo')).toBe('2024-05-02 05:30:05');
    expect(lsTime('2024-01-15T12:00:00Z', 'America/New_York')).toBe('2024-01-15 07:00:00');
    expect(lsTime('2024-07-15T00:00:00Z', 'America/New_York')).toBe('2024-07-14 20:00:00');
    // without a zone: the process's own, the same as naming it (across a year, DST changes included)
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 7 * 3600_000 + 1234) {
      const iso = new Date(t).toISOString();
      expect(lsTime(iso)).toBe(lsTime(iso, zone));
    }
  });
  it('passes an unparsable time through', () => {
    expect(lsTime('soon')).toBe('soon');
  });
});

describe('s3-index ls / head / stats', () => {
  it('ls lists a folder like aws s3 ls: PRE lines for sub-folders, names relative to the folder', async () => {
    const r = await run('ls', ['s3://cli-bucket/docs/']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean)).toEqual([
      '                           PRE sub/',
      '                           PRE ünï/',
      '2024-05-01 12:00:00        100 a.txt',
      '2024-05-01 12:00:00        100 b c+d.txt',
    ]);
    const top = await run('ls', ['cli-bucket']);
    expect(top.out).toBe(`${'PRE'.padStart(30)} docs/\n2024-05-01 12:00:00         10 top.txt\n`);
  });

  it('ls --recursive prints every key under the prefix in byte order, across pages', async () => {
    const r = await run('ls', ['cli-bucket/docs', '--recursive']);
    expect(names(r.out)).toEqual(KEYS.slice(0, 5));
    // more keys than one 10,000-key page of the API
    const many = Array.from({ length: 10_050 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < many.length; i += 2000) {
      const events = many.slice(i, i + 2000).map((k) => createdEvent('big-bucket', k));
      expect((await run('ingest', [file(`big${i}.json`, events)])).code).toBe(0);
    }
    const big = await run('ls', ['big-bucket', '--recursive']);
    expect(names(big.out)).toEqual(many);
  });

  it('head prints one object, or exits 1 when there is none', async () => {
    const r = await run('head', ['cli-bucket', 'docs/ünï/😀.txt']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ key: 'docs/ünï/😀.txt', size: 10, storageClass: 'STANDARD' });
    expect(JSON.parse((await run('head', ['cli-bucket', 'docs/b c+d.txt'])).out).key).toBe('docs/b c+d.txt');
    const missing = await run('head', ['cli-bucket', 'docs/none']);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/does not exist/);
  });

  it('stats prints count and bytes under a prefix', async () => {
    expect(JSON.parse((await run('stats', ['cli-bucket', 'docs/'])).out)).toEqual({ objects: 5, bytes: 320 });
    expect(JSON.parse((await run('stats', ['s3://cli-bucket/docs/sub/'])).out)).toEqual({ objects: 2, bytes: 110 });
    expect(JSON.parse((await run('stats', ['cli-bucket'])).out)).toEqual({ objects: 6, bytes: 330 });
  });

  it('usage errors exit 2; server errors print the server message', async () => {
    expect((await run('head', ['cli-bucket'])).code).toBe(2);
    const opt = await run('ls', ['cli-bucket', '--bogus']);
    expect(opt.code).toBe(2);
    expect(opt.err).toMatch(/unknown option --bogus/);
    const nb = await run('ls', ['no-such-bucket']);
    expect(nb.code).toBe(1);
    expect(nb.err).toBe('s3-index ls: The specified bucket does not exist (HTTP 404)\n');
  });
});
