/**
 * src/replay/replay.ts with the real @aws-sdk/client-eventbridge against a fake EventBridge endpoint
 * (test/helpers/fake-eventbridge.ts: the JSON 1.1 protocol; there is no EventBridge to run here).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  checkWindow,
  defaultReplayName,
  followReplay,
  ReplayError,
  type ReplayStatus,
  startReplay,
} from '../../src/replay/replay';
import { type FakeEventBridge, fakeEventBridge } from '../helpers/fake-eventbridge';

let eb: FakeEventBridge;
let client: EventBridgeClient;
let archiveArn: string;
let ruleArn: string;

const NOW = new Date('2026-12-06T01:00:00.000Z');
const SINCE = new Date('2026-12-05T00:00:00.000Z');
const UNTIL = new Date('2026-12-06T00:30:00.000Z');

beforeAll(async () => {
  eb = await fakeEventBridge();
  client = new EventBridgeClient({
    region: eb.region,
    endpoint: eb.url,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
  archiveArn = eb.addArchive({ name: 's3-index-test-archive', source: eb.busArn(), retentionDays: 30 });
  ruleArn = eb.ruleArn('s3-index-test-S3EventsRule-ABC');
});
afterAll(async () => {
  client.destroy();
  await eb.close();
});
beforeEach(() => {
  eb.requests.length = 0;
  eb.steps = 2;
});

/** Expects `p` to reject with a ReplayError of `code`; returns it. */
async function replayError(p: Promise<unknown>, code: string): Promise<ReplayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReplayError);
  expect((err as ReplayError).code).toBe(code);
  return err as ReplayError;
}

const start = (over: Partial<Parameters<typeof startReplay>[0]> = {}) =>
  startReplay({ client, archiveArn, ruleArns: [ruleArn], since: SINCE, until: UNTIL, now: () => NOW, ...over });

describe('startReplay', () => {
  test('sends exactly the window, the archive, the bus read from the archive and FilterArns = [the rule]', async () => {
    const started = await start({ name: 'exact-window' });
    expect(eb.requests.map((r) => r.operation)).toEqual(['DescribeArchive', 'StartReplay']);
    expect(eb.requests[0]!.body).toEqual({ ArchiveName: 's3-index-test-archive' });
    const body = eb.requests[1]!.body;
    expect(body).toMatchObject({
      ReplayName: 'exact-window',
      EventSourceArn: archiveArn,
      EventStartTime: SINCE.getTime() / 1000,
      EventEndTime: UNTIL.getTime() / 1000,
      Destination: { Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default', FilterArns: [ruleArn] },
    });
    expect(eb.requests[1]!.headers['x-amz-target']).toBe('AWSEvents.StartReplay');
    expect(started).toMatchObject({
      name: 'exact-window',
      arn: 'arn:aws:events:us-east-1:123456789012:replay/exact-window',
      state: 'STARTING',
      eventBusArn: eb.busArn(),
      ruleArns: [ruleArn],
    });
  });

  test('the default name is derived from the window and is a valid replay name', async () => {
    expect(defaultReplayName(SINCE, UNTIL)).toBe('s3-index-20261205T000000Z-20261206T003000Z');
    const started = await start({ until: new Date('2026-12-06T00:31:00Z') });
    expect(started.name).toBe('s3-index-20261205T000000Z-20261206T003100Z');
    expect(started.name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    expect(eb.requests[1]!.body.ReplayName).toBe(started.name);
  });

  test('bad windows, ARNs and names are refused before any request', async () => {
    await replayError(start({ since: UNTIL, until: SINCE }), 'bad-window');
    await replayError(start({ since: UNTIL, until: UNTIL }), 'bad-window');
    const future = await replayError(start({ until: new Date(NOW.getTime() + 60_000) }), 'bad-window');
    expect(future.message).toMatch(/in the future/);
    await replayError(start({ since: new Date('nonsense') }), 'bad-window');
    await replayError(start({ archiveArn: 'arn:aws:s3:::bucket' }), 'bad-arn');
    await replayError(start({ archiveArn: ruleArn }), 'bad-arn');
    await replayError(start({ ruleArns: [] }), 'bad-arn');
    await replayError(start({ ruleArns: [archiveArn] }), 'bad-arn');
    // a rule of another region cannot be a target of this archive's replay
    await replayError(start({ ruleArns: ['arn:aws:events:eu-west-1:123456789012:rule/x'] }), 'bad-arn');
    await replayError(start({ name: 'has space' }), 'bad-name');
    await replayError(start({ name: 'x'.repeat(65) }), 'bad-name');
    expect(eb.requests).toEqual([]);
    expect(() => checkWindow(SINCE, UNTIL, NOW)).not.toThrow();
  });

  test('an archive that does not exist: a clear message, no StartReplay', async () => {
    const err = await replayError(
      start({ archiveArn: 'arn:aws:events:us-east-1:123456789012:archive/gone' }),
      'archive-not-found',
    );
    expect(err.message).toMatch(/the archive arn:aws:events:us-east-1:123456789012:archive\/gone does not exist/);
    expect(err.message).toMatch(/Archive gone does not exist/);
    expect(eb.requests.map((r) => r.operation)).toEqual(['DescribeArchive']);
  });

  test('a name already taken: a clear message', async () => {
    await start({ name: 'twice' });
    const err = await replayError(start({ name: 'twice' }), 'name-taken');
    expect(err.message).toMatch(/a replay named 'twice' already exists/);
  });

  test('the bus must be the archive’s own; a disabled archive is refused', async () => {
    const other = await replayError(start({ eventBusArn: eb.busArn('custom'), name: 'cross' }), 'bad-arn');
    expect(other.message).toMatch(/its own event bus only/);
    const disabled = eb.addArchive({ name: 'off', source: eb.busArn(), state: 'DISABLED' });
    await replayError(start({ archiveArn: disabled, name: 'off' }), 'archive-not-usable');
    expect(eb.requests.map((r) => r.operation)).not.toContain('StartReplay');
  });

  test('warnings: a window before the archive existed, or past its retention', async () => {
    const young = eb.addArchive({
      name: 'young',
      source: eb.busArn(),
      retentionDays: 1,
      creationTime: new Date('2026-12-05T12:00:00Z').getTime() / 1000,
    });
    const warnings: string[] = [];
    await start({ archiveArn: young, name: 'warned', onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(/created at 2026-12-05T12:00:00.000Z: nothing before it was archived/),
      expect.stringMatching(/keeps events 1 days: those before 2026-12-05T01:00:00.000Z are gone/),
    ]);
    const none: string[] = [];
    await start({ name: 'unwarned', onWarning: (m) => none.push(m) });
    expect(none).toEqual([]);
  });
});

describe('followReplay', () => {
  test('reports progress through the window and ends on COMPLETED', async () => {
    eb.steps = 3;
    await start({ name: 'followed' });
    const seen: ReplayStatus[] = [];
    const final = await followReplay({ client, name: 'followed', intervalMs: 1, onProgress: (s) => seen.push(s) });
    expect(seen.map((s) => s.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'COMPLETED']);
    expect(seen.map((s) => s.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
    const span = UNTIL.getTime() - SINCE.getTime();
    expect(seen[1]!.lastReplayed!.getTime()).toBe(SINCE.getTime() + span / 2);
    expect(final).toMatchObject({
      name: 'followed',
      state: 'COMPLETED',
      since: SINCE,
      until: UNTIL,
      lastReplayed: UNTIL,
    });
    expect(final.replayEndTime).toBeInstanceOf(Date);
    expect(eb.requests.filter((r) => r.operation === 'DescribeReplay')).toHaveLength(4);
  });

  test('FAILED and CANCELLED reject with the state reason and the last status', async () => {
    eb.failNext('FAILED', 'the archive was deleted', 2);
    await start({ name: 'failing' });
    const seen: string[] = [];
    const failed = await replayError(
      followReplay({ client, name: 'failing', intervalMs: 1, onProgress: (s) => seen.push(s.state) }),
      'failed',
    );
    expect(seen).toEqual(['RUNNING', 'FAILED']);
    expect(failed.message).toBe("the replay 'failing' ended FAILED: the archive was deleted");
    expect(failed.status).toMatchObject({ state: 'FAILED', stateReason: 'the archive was deleted' });

    eb.failNext('CANCELLED', 'cancelled by a user', 1);
    await start({ name: 'cancelled' });
    const cancelled = await replayError(followReplay({ client, name: 'cancelled', intervalMs: 1 }), 'cancelled');
    expect(cancelled.message).toMatch(/ended CANCELLED: cancelled by a user/);
  });

  test('an unknown replay, and an abort while waiting', async () => {
    await replayError(followReplay({ client, name: 'never-started', intervalMs: 1 }), 'replay-not-found');
    eb.steps = 1000;
    await start({ name: 'long' });
    const stop = new AbortController();
    let polls = 0;
    const following = followReplay({
      client,
      name: 'long',
      intervalMs: 60_000,
      signal: stop.signal,
      onProgress: () => {
        polls++;
        stop.abort();
      },
    });
    const t0 = Date.now();
    await replayError(following, 'aborted');
    // the abort cut the 60 s wait short
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(polls).toBe(1);
  });
});
