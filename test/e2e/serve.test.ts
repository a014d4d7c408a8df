/**
 * End to end, as a user runs it: `s3-index serve` as a real process (the built CLI), S3 events posted to the HTTP
 * API, then the index read back through redis-cli (RESP), the JSON API, and the AWS CLI on the /s3 endpoint.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeWithTool, freePort, hasTool, waitForPort } from '../helpers/redis-server';

const root = path.join(__dirname, '../..');
const event = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(root, 'events', name), 'utf8'));

function created(key: string, size: number, sequencer: string): unknown {
  const e = event('eventbridge-object-created.json') as { detail: { object: Record<string, unknown> } };
  e.detail.object = { ...e.detail.object, key, size, sequencer };
  return e;
}

describeWithTool('redis-cli')('s3-index serve (built CLI, real process)', () => {
  let proc: ChildProcess;
  let respPort: number;
  let httpPort: number;
  let stderr = '';

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
    respPort = await freePort();
    httpPort = await freePort();
    proc = spawn(
      process.execPath,
      ['bin/s3-index.js', 'serve', '--resp-port', String(respPort), '--http-port', String(httpPort)],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, S3_INDEX_API_TOKENS: '' } },
    );
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitForPort(respPort, 10_000);
    await waitForPort(httpPort, 10_000);
  });

  afterAll(async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });

  const cli = (...args: string[]): string =>
    execFileSync('redis-cli', ['-p', String(respPort), ...args], { encoding: 'utf8' }).trim();
  const http = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${httpPort}${p}`, init);

  it('ingests events over HTTP and lists them over HTTP, RESP and the S3 endpoint', async () => {
    const batch = [
      created('logs/2024/a.json', 10, '0061000000000000A1'),
      created('logs/2024/b.json', 20, '0061000000000000A2'),
      created('logs/2025/c.json', 30, '0061000000000000A3'),
      created('top.txt', 5, '0061000000000000A4'),
    ];
    const res = await http('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 4, rejected: [] });
    // a duplicate delivery changes nothing
    const again = await http('/v1/events', { method: 'POST', body: JSON.stringify(batch[0]) });
    expect(await again.json()).toMatchObject({ applied: 0, duplicate: 1 });

    const list = (await (await http('/v1/buckets/example-bucket/objects?delimiter=/&prefix=logs/')).json()) as {
      commonPrefixes: string[];
      objects: unknown[];
    };
    expect(list.commonPrefixes).toEqual(['logs/2024/', 'logs/2025/']);
    expect(list.objects).toEqual([]);
    expect(await (await http('/v1/buckets/example-bucket/stats?prefix=logs/')).json()).toEqual({
      objects: 3,
      bytes: 60,
    });

    // the index is plain Redis data: a zset readable by any RESP client
    expect(cli('zcard', 's3idx:{example-bucket}:keys')).toBe('4');
    expect(cli('zrangebylex', 's3idx:{example-bucket}:keys', '[logs/2025', '+')).toBe('logs/2025/c.json\ntop.txt');
    expect(cli('set', 'greeting', 'hi')).toBe('OK');
    expect(cli('get', 'greeting')).toBe('hi');
  });

  const awsIt = hasTool('aws') || process.env.CI === 'true' ? it : it.skip;
  awsIt('lists through the AWS CLI on /s3 (skipped without awscli: apt-get install awscli)', () => {
    const out = execFileSync(
      'aws',
      [
        's3',
        'ls',
        '--recursive',
        's3://example-bucket',
        '--endpoint-url',
        `http://127.0.0.1:${httpPort}/s3`,
        '--region',
        'us-east-1',
      ],
      { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: 'any', AWS_SECRET_ACCESS_KEY: 'any' } },
    );
    const keys = out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).slice(3).join(' '));
    expect(keys).toEqual(['logs/2024/a.json', 'logs/2024/b.json', 'logs/2025/c.json', 'top.txt']);
  });

  it('shuts down cleanly on SIGTERM, the server process (run with a 64 MB young generation) included', async () => {
    // bin/s3-index.js re-runs `serve` in a child process with --max-semi-space-size=64
    const server = execFileSync('ps', ['--ppid', String(proc.pid), '-o', 'pid=,args='], { encoding: 'utf8' }).trim();
    expect(server).toMatch(/--max-semi-space-size=64 .*s3-index\.js serve/);
    const serverPid = Number(server.split(/\s+/)[0]);
    // 'close': after the exit and the end of its output (an 'exit' can come before the last stderr data)
    const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM received, shutting down/);
    expect(() => process.kill(serverPid, 0)).toThrow();
  });
});
