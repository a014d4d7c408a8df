/**
 * `s3-index replay`: the command (src/cli/replay.ts) in this process against the fake EventBridge endpoint
 * (test/helpers/fake-eventbridge.ts) with the real SDK client, and once as a user runs it: src/cli/main.ts bundled
 * (as scripts/build.mjs does, into a temporary directory), in a child process whose only pointer to the fake is
 * AWS_ENDPOINT_URL_EVENTBRIDGE.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { build } from 'esbuild';
import { parseTime, replayCommand } from '../../src/cli/replay';
import { type FakeEventBridge, fakeEventBridge } from '../helpers/fake-eventbridge';

const root = path.join(__dirname, '../..');
const NOW = new Date('2026-12-06T01:00:00.000Z');
let eb: FakeEventBridge;
let archiveArn: string;
let ruleArn: string;
const clients: EventBridgeClient[] = [];

beforeAll(async () => {
  eb = await fakeEventBridge();
  archiveArn = eb.addArchive({ name: 's3-index-prod-archive', source: eb.busArn(), retentionDays: 30 });
  ruleArn = eb.ruleArn('s3-index-prod-S3EventsRule-XYZ');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await eb.close();
});
beforeEach(() => {
  eb.requests.length = 0;
  eb.steps = 2;
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The command in this process; S3_INDEX_* from `env` only, the clock at NOW, the client on the fake. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, signal?: AbortSignal): Promise<Run> {
  let out = '';
  let err = '';
  const regions: string[] = [];
  const code = await replayCommand(
    args,
    { out: (s) => (out += s), err: (s) => (err += s) },
    {
      env,
      now: () => NOW,
      signal,
      client: (region) => {
        regions.push(region);
        const c = new EventBridgeClient({
          region,
          endpoint: eb.url,
          credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
          maxAttempts: 1,
        });
        clients.push(c);
        return c;
      },
    },
  );
  for (const r of regions) expect(r).toBe('us-east-1'); // the archive ARN's region
  return { code, out, err };
}

const startBody = () => eb.requests.find((r) => r.operation === 'StartReplay')?.body;

describe('s3-index replay', () => {
  test('relative --since, --until defaulting to now: follows to COMPLETED, progress on stderr, JSON on stdout', async () => {
    const r = await run(['--since', '3d', '--archive', archiveArn, '--rule', ruleArn, '--interval', '0.001']);
    expect(r.code).toBe(0);
    const since = new Date(NOW.getTime() - 3 * 86_400_000);
    expect(startBody()).toMatchObject({
      ReplayName: 's3-index-20261203T010000Z-20261206T010000Z',
      EventSourceArn: archiveArn,
      EventStartTime: since.getTime() / 1000,
      EventEndTime: NOW.getTime() / 1000,
      Destination: { Arn: eb.busArn(), FilterArns: [ruleArn] },
    });
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^s3-index replay: started s3-index-20261203T010000Z-20261206T010000Z: /);
    // one line per poll: two RUNNING, then COMPLETED
    expect(lines.slice(1).map((l) => / (RUNNING|COMPLETED)[ ,]/.exec(l)?.[1])).toEqual([
      'RUNNING',
      'RUNNING',
      'COMPLETED',
    ]);
    expect(lines[1]).toMatch(/replayed up to 2026-12-04T01:00:00.000Z \(33%\)/);
    expect(lines[3]).toMatch(/replayed up to 2026-12-06T01:00:00.000Z \(100%\)/);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({
      replay: 's3-index-20261203T010000Z-20261206T010000Z',
      state: 'COMPLETED',
      archive: archiveArn,
      eventBus: eb.busArn(),
      rules: [ruleArn],
      since: '2026-12-03T01:00:00.000Z',
      until: '2026-12-06T01:00:00.000Z',
      lastReplayed: '2026-12-06T01:00:00.000Z',
    });
    expect(r.out.endsWith('}\n')).toBe(true);
  });

  test('ARNs from S3_INDEX_ARCHIVE_ARN and S3_INDEX_INGEST_RULE_ARN; ISO times; --name', async () => {
    const r = await run(
      [
        '--since',
        '2026-12-05T10:00:00Z',
        '--until=2026-12-05T12:30:00+01:00',
        '--name',
        'rebuild-1',
        '--interval=0.001',
      ],
      { S3_INDEX_ARCHIVE_ARN: archiveArn, S3_INDEX_INGEST_RULE_ARN: ruleArn },
    );
    expect(r.code).toBe(0);
    expect(startBody()).toMatchObject({
      ReplayName: 'rebuild-1',
      EventSourceArn: archiveArn,
      EventStartTime: Date.parse('2026-12-05T10:00:00Z') / 1000,
      EventEndTime: Date.parse('2026-12-05T11:30:00Z') / 1000,
      Destination: { FilterArns: [ruleArn] },
    });
    expect(JSON.parse(r.out)).toMatchObject({ replay: 'rebuild-1', state: 'COMPLETED' });
  });

  test('--no-wait: started, never polled, exit 0', async () => {
    const r = await run(['--since', '2h', '--archive', archiveArn, '--rule', ruleArn, '--no-wait']);
    expect(r.code).toBe(0);
    expect(eb.requests.map((q) => q.operation)).toEqual(['DescribeArchive', 'StartReplay']);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'STARTING', since: '2026-12-05T23:00:00.000Z' });
  });

  test('FAILED and CANCELLED: exit 1, the reason on stderr, the summary on stdout', async () => {
    eb.failNext('FAILED', 'events could not be delivered', 2);
    const failed = await run(['--since', '1h', '--archive', archiveArn, '--rule', ruleArn, '--interval', '0.001']);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/ended FAILED: events could not be delivered\n$/);
    expect(JSON.parse(failed.out)).toMatchObject({ state: 'FAILED', stateReason: 'events could not be delivered' });

    eb.failNext('CANCELLED', 'cancelled', 1);
    const cancelled = await run(['--since', '3h', '--archive', archiveArn, '--rule', ruleArn, '--interval', '0.001']);
    expect(cancelled.code).toBe(1);
    expect(JSON.parse(cancelled.out)).toMatchObject({ state: 'CANCELLED' });
  });

  test('refusals by EventBridge: an unknown archive, a name taken (exit 1)', async () => {
    const gone = await run(['--since', '1d', '--archive', eb.archiveArn('gone'), '--rule', ruleArn]);
    expect(gone).toMatchObject({ code: 1, out: '' });
    expect(gone.err).toMatch(/the archive arn:aws:events:us-east-1:123456789012:archive\/gone does not exist/);
    await run(['--since', '1d', '--archive', archiveArn, '--rule', ruleArn, '--name', 'once', '--no-wait']);
    const again = await run(['--since', '1d', '--archive', archiveArn, '--rule', ruleArn, '--name', 'once']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/a replay named 'once' already exists/);
  });

  test('usage errors exit 2 before any request', async () => {
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [['--archive', archiveArn, '--rule', ruleArn], /--since is required/],
      [['--since', 'yesterday', '--archive', archiveArn, '--rule', ruleArn], /'yesterday' is not a time/],
      [['--since', '2026-12-05T10:00', '--archive', archiveArn, '--rule', ruleArn], /has no time zone/],
      [['--since', '1h', '--until', '2h', '--archive', archiveArn, '--rule', ruleArn], /the window is empty/],
      [['--since', '1h', '--until', '2026-12-07T00:00:00Z', '--archive', archiveArn, '--rule', ruleArn], /future/],
      [['--since', '1h', '--rule', ruleArn], /no archive: give --archive ARN or S3_INDEX_ARCHIVE_ARN/],
      [['--since', '1h', '--archive', archiveArn], /no rule: give --rule ARN or S3_INDEX_INGEST_RULE_ARN/],
      [['--since', '1h', '--archive', 'not-an-arn', '--rule', ruleArn], /not an EventBridge archive ARN/],
      [['--since', '1h', '--archive', archiveArn, '--rule', ruleArn, '--name', 'a/b'], /invalid replay name/],
      [['--since', '1h', '--archive', archiveArn, '--rule', ruleArn, '--interval', '0'], /not a positive number/],
      [['--since', '1h', '--frobnicate'], /unknown argument '--frobnicate'/],
      [['--since'], /--since needs a value/],
    ];
    for (const [args, message, env] of cases) {
      const r = await run(args, env);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code: 2, out: '' });
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/usage: s3-index replay --since T/);
    }
    expect(eb.requests).toEqual([]);
    const help = await run(['--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(/serverless info --verbose/);
  });

  test('an abort stops following, not the replay: exit 1 with how to follow it', async () => {
    eb.steps = 1000;
    const stop = new AbortController();
    const running = run(
      ['--since', '1h', '--archive', archiveArn, '--rule', ruleArn, '--name', 'left-running'],
      {},
      stop.signal,
    );
    // the first poll happens at once; the next would be 10 s later
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/aws events describe-replay --replay-name left-running/);
    // the last state seen
    expect(JSON.parse(r.out)).toMatchObject({ replay: 'left-running', state: 'RUNNING' });
  });

  test('parseTime: relative units, dates, zones', () => {
    expect(parseTime('90s', NOW, '--since').toISOString()).toBe('2026-12-06T00:58:30.000Z');
    expect(parseTime('30m', NOW, '--since').toISOString()).toBe('2026-12-06T00:30:00.000Z');
    expect(parseTime('1.5h', NOW, '--since').toISOString()).toBe('2026-12-05T23:30:00.000Z');
    expect(parseTime('1w', NOW, '--since').toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(parseTime('2026-12-01', NOW, '--since').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseTime('2026-12-01 10:00+0200', NOW, '--since').toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(parseTime('now', NOW, '--until').toISOString()).toBe(NOW.toISOString());
    expect(() => parseTime('2026-13-45T00:00:00Z', NOW, '--since')).toThrow(/not a valid date/);
  });
});

test('the built command: `s3-index replay` dispatched by main.ts, the endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-replay-cli-'));
  try {
    await build({
      entryPoints: { cli: path.join(root, 'src/cli/main.ts') },
      outdir: dir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      logLevel: 'warning',
      // `virtual:ui-assets` (the browse page, which the app serves), as scripts/build.mjs builds it
      plugins: require(path.join(root, 'scripts/ui-assets.js')),
    });
    eb.requests.length = 0;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      // the bundle's packages are external: resolved from this repository
      NODE_PATH: path.join(root, 'node_modules'),
      AWS_ACCESS_KEY_ID: 'fake',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_CONFIG_FILE: path.join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url,
      S3_INDEX_ARCHIVE_ARN: archiveArn,
      S3_INDEX_INGEST_RULE_ARN: ruleArn,
    };
    const child = spawn(process.execPath, [path.join(dir, 'cli.js'), 'replay', '--since', '2h', '--interval', '0.01'], {
      env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, err }).toMatchObject({ code: 0, err: expect.stringMatching(/COMPLETED/) });
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({ state: 'COMPLETED', archive: archiveArn, rules: [ruleArn] });
    expect(Date.parse(summary.until) - Date.parse(summary.since)).toBe(2 * 3_600_000);
    // signed for the archive's region, sent to the fake
    const start = eb.requests.find((r) => r.operation === 'StartReplay')!;
    expect(String(start.headers.authorization)).toMatch(/Credential=fake\/\d{8}\/us-east-1\/events\/aws4_request/);

    const usage = spawn(process.execPath, [path.join(dir, 'cli.js'), 'replay'], { env });
    const usageCode = await new Promise<number | null>((resolve) => usage.once('close', resolve));
    expect(usageCode).toBe(2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
