/**
 * Replay: resends the S3 events an EventBridge archive kept (serverless.yml, S3EventsArchive: the ingest rule's own
 * pattern) to the ingest rule only, so that the index can be rebuilt after losing the snapshot store (a backfill
 * gives what the buckets hold, the replay what the events told; ingestion is idempotent, so the overlap is harmless).
 *
 * - startReplay: checks the window and the ARNs before any request, reads the archive (DescribeArchive: it exists,
 *   its event bus is the destination, the window against its creation and retention), then StartReplay with
 *   Destination { Arn: the archive's bus, FilterArns: the rule ARNs }: the events reach those rules only, not every
 *   rule of the default bus.
 * - followReplay: polls DescribeReplay until COMPLETED (resolves), FAILED or CANCELLED (rejects with the reason).
 *   EventBridge replays the window one minute at a time, oldest first: EventLastReplayedTime against the window is
 *   the progress.
 *
 * Replayed events reach the rule with a `replay-name` field; the ingest rule's pattern does not mention it, so it
 * matches them as it matched the originals. Replayed events are never archived again.
 */
import {
  DescribeArchiveCommand,
  type DescribeArchiveCommandOutput,
  DescribeReplayCommand,
  type DescribeReplayCommandOutput,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';

/** What is used of an EventBridgeClient (tests drive the real client against a local endpoint). */
export type ReplayClient = Pick<EventBridgeClient, 'send'>;

export type ReplayErrorCode =
  | 'bad-window'
  | 'bad-arn'
  | 'bad-name'
  | 'archive-not-found'
  | 'archive-not-usable'
  | 'name-taken'
  | 'replay-not-found'
  | 'failed'
  | 'cancelled'
  | 'aborted';

export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    /** the replay's last description, when it ended FAILED or CANCELLED */
    readonly status?: ReplayStatus,
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

/** Replay names: 1 to 64 of these (the EventBridge API's constraint). */
const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** arn:PARTITION:events:REGION:ACCOUNT:TYPE/NAME… */
const ARN = /^arn:(aws[a-z-]*):events:([a-z0-9-]+):(\d{12}):(archive|rule|event-bus)\/(.+)$/;

export interface EventsArn {
  partition: string;
  region: string;
  account: string;
  type: 'archive' | 'rule' | 'event-bus';
  resource: string;
}

/** The parts of an EventBridge ARN, or undefined when it is not one. */
export function parseEventsArn(arn: string): EventsArn | undefined {
  const m = ARN.exec(arn);
  if (m === null) return undefined;
  return { partition: m[1]!, region: m[2]!, account: m[3]!, type: m[4] as EventsArn['type'], resource: m[5]! };
}

function arnOf(arn: string, type: EventsArn['type'], what: string): EventsArn {
  const parsed = parseEventsArn(arn);
  if (parsed === undefined || parsed.type !== type) {
    throw new ReplayError('bad-arn', `${what} is not an EventBridge ${type} ARN: '${arn}'`);
  }
  return parsed;
}

/** `d` as 20261206T013000Z (seconds), for replay names. */
function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The default replay name: the window, `s3-index-20261205T000000Z-20261206T013000Z` (42 characters). */
export function defaultReplayName(since: Date, until: Date): string {
  return `s3-index-${compactTime(since)}-${compactTime(until)}`;
}

/** Checks a window before any request: valid dates, since < until, until not in the future. */
export function checkWindow(since: Date, until: Date, now: Date = new Date()): void {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
    throw new ReplayError('bad-window', 'the window needs two valid times');
  }
  if (since.getTime() >= until.getTime()) {
    throw new ReplayError(
      'bad-window',
      `the window is empty: since (${since.toISOString()}) must be before until (${until.toISOString()})`,
    );
  }
  // The archive cannot hold what has not happened yet; and a replay's end is fixed when it starts.
  if (until.getTime() > now.getTime()) {
    throw new ReplayError(
      'bad-window',
      `until (${until.toISOString()}) is in the future: the archive holds events up to now at most`,
    );
  }
}

export interface StartReplayOptions {
  client: ReplayClient;
  /** the archive (serverless.yml output EventsArchiveArn) */
  archiveArn: string;
  /** the rules the replayed events go to (the ingest rule, output IngestRuleArn); at least one */
  ruleArns: readonly string[];
  since: Date;
  until: Date;
  /** the destination bus: the archive's source bus when omitted (it must be that bus: EventBridge replays there only) */
  eventBusArn?: string;
  /** default: defaultReplayName(since, until) */
  name?: string;
  description?: string;
  /** the clock, for tests */
  now?: () => Date;
  /** what is worth knowing but does not stop the replay (window before the archive's creation, past its retention) */
  onWarning?: (message: string) => void;
}

export interface StartedReplay {
  name: string;
  arn: string;
  state: string;
  archiveArn: string;
  eventBusArn: string;
  ruleArns: string[];
  since: Date;
  until: Date;
  replayStartTime?: Date;
}

/** The SDK's error name (`ResourceNotFoundException`, …) and message, for any thrown value. */
function awsError(err: unknown): { name: string; message: string } {
  const e = err as { name?: unknown; message?: unknown } | null;
  return { name: typeof e?.name === 'string' ? e.name : '', message: typeof e?.message === 'string' ? e.message : '' };
}

/** An archive that does not exist is ResourceNotFoundException, or a ValidationException naming it (StartReplay). */
function isArchiveMissing(err: unknown): boolean {
  const { name, message } = awsError(err);
  return (
    name === 'ResourceNotFoundException' ||
    (name === 'ValidationException' && /archive .* does not exist/i.test(message))
  );
}

const DAY_MS = 24 * 3600 * 1000;

/** Starts a replay of [since, until) from the archive to the rules; resolves when EventBridge has accepted it. */
export async function startReplay(o: StartReplayOptions): Promise<StartedReplay> {
  const now = o.now?.() ?? new Date();
  checkWindow(o.since, o.until, now);
  const archive = arnOf(o.archiveArn, 'archive', 'the archive');
  if (o.ruleArns.length === 0) {
    throw new ReplayError(
      'bad-arn',
      'no rule ARN: the replay would reach every rule of the bus (give the ingest rule)',
    );
  }
  for (const r of o.ruleArns) {
    const rule = arnOf(r, 'rule', 'a rule');
    if (rule.region !== archive.region || rule.account !== archive.account) {
      throw new ReplayError(
        'bad-arn',
        `the rule ${r} is not in the archive's region and account (${archive.region}, ${archive.account})`,
      );
    }
  }
  if (o.eventBusArn !== undefined) arnOf(o.eventBusArn, 'event-bus', 'the event bus');
  const name = o.name ?? defaultReplayName(o.since, o.until);
  if (!NAME.test(name)) {
    throw new ReplayError('bad-name', `invalid replay name '${name}': 1 to 64 of A-Z a-z 0-9 . - _`);
  }

  let described: DescribeArchiveCommandOutput;
  try {
    described = await o.client.send(new DescribeArchiveCommand({ ArchiveName: archive.resource }));
  } catch (err) {
    if (isArchiveMissing(err)) {
      throw new ReplayError(
        'archive-not-found',
        `the archive ${o.archiveArn} does not exist (in ${archive.region}, account ${archive.account}): ${awsError(err).message}`,
      );
    }
    throw err;
  }
  if (described.State !== undefined && described.State !== 'ENABLED') {
    throw new ReplayError(
      'archive-not-usable',
      `the archive ${archive.resource} is ${described.State}${described.StateReason ? ` (${described.StateReason})` : ''}`,
    );
  }
  const source = described.EventSourceArn;
  const eventBusArn = o.eventBusArn ?? source;
  if (eventBusArn === undefined) {
    throw new ReplayError('archive-not-usable', `DescribeArchive did not name the archive's event bus: give it`);
  }
  if (source !== undefined && eventBusArn !== source) {
    throw new ReplayError(
      'bad-arn',
      `EventBridge replays an archive to its own event bus only: ${source}, not ${eventBusArn}`,
    );
  }
  const created = described.CreationTime;
  if (created !== undefined && o.since.getTime() < created.getTime()) {
    o.onWarning?.(
      `the archive was created at ${created.toISOString()}: nothing before it was archived (a backfill covers it)`,
    );
  }
  const retention = described.RetentionDays;
  if (retention !== undefined && retention > 0 && o.since.getTime() < now.getTime() - retention * DAY_MS) {
    o.onWarning?.(
      `the archive keeps events ${retention} days: those before ${new Date(now.getTime() - retention * DAY_MS).toISOString()} are gone`,
    );
  }

  try {
    const out = await o.client.send(
      new StartReplayCommand({
        ReplayName: name,
        Description: o.description,
        EventSourceArn: o.archiveArn,
        EventStartTime: o.since,
        EventEndTime: o.until,
        Destination: { Arn: eventBusArn, FilterArns: [...o.ruleArns] },
      }),
    );
    return {
      name,
      arn: out.ReplayArn ?? '',
      state: out.State ?? 'STARTING',
      archiveArn: o.archiveArn,
      eventBusArn,
      ruleArns: [...o.ruleArns],
      since: o.since,
      until: o.until,
      replayStartTime: out.ReplayStartTime,
    };
  } catch (err) {
    const { name: code, message } = awsError(err);
    if (code === 'ResourceAlreadyExistsException') {
      throw new ReplayError(
        'name-taken',
        `a replay named '${name}' already exists (names are unique per account and region, and kept after the replay ends): choose another name`,
      );
    }
    if (isArchiveMissing(err)) {
      throw new ReplayError('archive-not-found', `the archive ${o.archiveArn} does not exist: ${message}`);
    }
    throw err;
  }
}

export interface ReplayStatus {
  name: string;
  arn?: string;
  /** STARTING | RUNNING | CANCELLING | COMPLETED | CANCELLED | FAILED */
  state: string;
  stateReason?: string;
  since?: Date;
  until?: Date;
  /** the time, within the window, of the last event replayed */
  lastReplayed?: Date;
  /** 0…1: how far through the window the replay is (1 when COMPLETED) */
  fraction: number;
  replayStartTime?: Date;
  replayEndTime?: Date;
}

function statusOf(name: string, d: DescribeReplayCommandOutput): ReplayStatus {
  const state = d.State ?? 'STARTING';
  const since = d.EventStartTime;
  const until = d.EventEndTime;
  const last = d.EventLastReplayedTime;
  let fraction = 0;
  if (state === 'COMPLETED') fraction = 1;
  else if (since !== undefined && until !== undefined && last !== undefined && until > since) {
    fraction = Math.min(1, Math.max(0, (last.getTime() - since.getTime()) / (until.getTime() - since.getTime())));
  }
  return {
    name: d.ReplayName ?? name,
    arn: d.ReplayArn,
    state,
    stateReason: d.StateReason,
    since,
    until,
    lastReplayed: last,
    fraction,
    replayStartTime: d.ReplayStartTime,
    replayEndTime: d.ReplayEndTime,
  };
}

/** Reads a replay's state once. */
export async function describeReplay(client: ReplayClient, name: string): Promise<ReplayStatus> {
  try {
    return statusOf(name, await client.send(new DescribeReplayCommand({ ReplayName: name })));
  } catch (err) {
    if (awsError(err).name === 'ResourceNotFoundException') {
      throw new ReplayError('replay-not-found', `no replay named '${name}': ${awsError(err).message}`);
    }
    throw err;
  }
}

export interface FollowReplayOptions {
  client: ReplayClient;
  name: string;
  /** between polls; default 5000 */
  intervalMs?: number;
  /** stops following (the replay goes on: CancelReplay stops it); rejects with ReplayError 'aborted' */
  signal?: AbortSignal;
  /** after every poll */
  onProgress?: (status: ReplayStatus) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Polls DescribeReplay until the replay ends: resolves on COMPLETED, rejects on FAILED or CANCELLED. */
export async function followReplay(o: FollowReplayOptions): Promise<ReplayStatus> {
  const interval = o.intervalMs ?? 5000;
  for (;;) {
    if (o.signal?.aborted) {
      throw new ReplayError('aborted', `stopped following the replay '${o.name}' (it goes on in EventBridge)`);
    }
    const status = await describeReplay(o.client, o.name);
    o.onProgress?.(status);
    if (ENDED.has(status.state)) {
      if (status.state === 'COMPLETED') return status;
      const why = status.stateReason ? `: ${status.stateReason}` : '';
      throw new ReplayError(
        status.state === 'FAILED' ? 'failed' : 'cancelled',
        `the replay '${o.name}' ended ${status.state}${why}`,
        status,
      );
    }
    await sleep(interval, o.signal);
  }
}
