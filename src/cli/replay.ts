/**
 * `s3-index replay --since T [--until T]`: replays the S3 events the deployment archived (serverless.yml,
 * S3EventsArchive) to the ingest rule only, and follows the replay to its end (src/replay/replay.ts). With a backfill,
 * it rebuilds the index after losing the snapshot store (docs/deploy.md, Replay).
 *
 * Progress on stderr (one line per poll), a JSON summary on stdout. Exit 0 when the replay COMPLETED (or, with
 * --no-wait, was started), 1 when it FAILED or was CANCELLED or EventBridge refused it, 2 on a usage error.
 * AWS credentials come from the standard chain; the region is the archive ARN's; AWS_ENDPOINT_URL_EVENTBRIDGE (or
 * AWS_ENDPOINT_URL) points the client elsewhere, as the SDK reads them itself.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  followReplay,
  parseEventsArn,
  type ReplayClient,
  ReplayError,
  type ReplayStatus,
  type StartedReplay,
  startReplay,
} from '../replay/replay';

export const REPLAY_USAGE = `usage: s3-index replay --since T [--until T] [options]
  Replays the S3 events the stack archived (EventBridge archive) to the ingest rule only, then follows the replay.
  T: ISO 8601 with a zone (2026-12-05T10:00:00Z, 2026-12-05T11:00+01:00, 2026-12-05 = midnight UTC), or a
     duration ago: 90s, 30m, 2h, 3d, 1w; --until defaults to now.
options:
  --archive ARN    the archive (default: $S3_INDEX_ARCHIVE_ARN)
  --rule ARN       the ingest rule, the only target of the replayed events; repeatable (default:
                   $S3_INDEX_INGEST_RULE_ARN). Both are the stack's outputs EventsArchiveArn and IngestRuleArn:
                   npx serverless info --verbose --stage STAGE
  --bus ARN        the destination event bus (default: the archive's, read with DescribeArchive)
  --name NAME      the replay's name (default: s3-index-<since>-<until>; unique per account and region)
  --interval S     seconds between progress polls (default 10)
  --no-wait        start the replay and exit (follow it with aws events describe-replay --replay-name NAME)
Credentials from the AWS SDK's standard chain; the region is the archive's; AWS_ENDPOINT_URL_EVENTBRIDGE for
another endpoint. Exit 0: completed (or started, --no-wait); 1: failed, cancelled or refused; 2: usage.
`;

export interface ReplayIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface ReplayDeps {
  /** S3_INDEX_ARCHIVE_ARN, S3_INDEX_INGEST_RULE_ARN; default process.env */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** the client for the archive's region (default: an EventBridgeClient; its endpoint from the environment) */
  client?: (region: string) => ReplayClient & { destroy?: () => void };
  /** stops following (the CLI wires SIGINT) */
  signal?: AbortSignal;
}

class UsageError extends Error {}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A time argument: ISO 8601 with a zone (or a bare date, UTC), `now`, or a duration ago (`2h`, `3d`, `1.5h`). */
export function parseTime(s: string, now: Date, option: string): Date {
  const rel = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(s);
  if (rel !== null) return new Date(now.getTime() - Number(rel[1]) * UNITS[rel[2]!]!);
  if (s === 'now') return new Date(now.getTime());
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const withZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  if (!dateOnly && !withZone) {
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) {
      throw new UsageError(`${option} '${s}' has no time zone: add Z (UTC) or an offset such as +01:00`);
    }
    throw new UsageError(`${option} '${s}' is not a time: ISO 8601 (2026-12-05T10:00:00Z) or a duration ago (2h, 3d)`);
  }
  const t = Date.parse(s.replace(' ', 'T'));
  if (Number.isNaN(t)) throw new UsageError(`${option} '${s}' is not a valid date`);
  return new Date(t);
}

interface Args {
  since: string;
  until?: string;
  archive?: string;
  rules: string[];
  bus?: string;
  name?: string;
  intervalS: number;
  wait: boolean;
}

function parseArgs(args: readonly string[]): Args | 'help' {
  const a: Partial<Args> & { rules: string[]; wait: boolean; intervalS: number } = {
    rules: [],
    wait: true,
    intervalS: 10,
  };
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    if (raw === '--help' || raw === '-h') return 'help';
    if (raw === '--no-wait') {
      a.wait = false;
      continue;
    }
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const takes = ['--since', '--until', '--archive', '--rule', '--bus', '--name', '--interval'];
    if (!takes.includes(name)) throw new UsageError(`unknown argument '${name}'`);
    let value: string | undefined;
    if (eq > 0 && raw.startsWith('--')) value = raw.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--rule') a.rules.push(value);
    else if (name === '--interval') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--interval '${value}' is not a positive number`);
      a.intervalS = n;
    } else {
      const key = name.slice(2) as 'since' | 'until' | 'archive' | 'bus' | 'name';
      if (a[key] !== undefined) throw new UsageError(`${name} given twice`);
      a[key] = value;
    }
  }
  if (a.since === undefined) throw new UsageError('--since is required');
  return a as Args;
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

function progressLine(s: ReplayStatus, startedAt: number): string {
  const upTo = s.lastReplayed ? `, replayed up to ${s.lastReplayed.toISOString()}` : '';
  const elapsed = Math.round((Date.now() - startedAt) / 1000);
  return `s3-index replay ${s.name}: ${s.state}${upTo} (${Math.round(s.fraction * 100)}%), ${elapsed} s\n`;
}

function summary(started: StartedReplay, s?: ReplayStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {
    replay: started.name,
    arn: s?.arn ?? started.arn,
    state: s?.state ?? started.state,
    stateReason: s?.stateReason,
    archive: started.archiveArn,
    eventBus: started.eventBusArn,
    rules: started.ruleArns,
    since: started.since.toISOString(),
    until: started.until.toISOString(),
    lastReplayed: iso(s?.lastReplayed),
    replayStartTime: iso(s?.replayStartTime ?? started.replayStartTime),
    replayEndTime: iso(s?.replayEndTime),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Credentials from the standard chain; the endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL (the SDK's own). */
function defaultClient(region: string): EventBridgeClient {
  return new EventBridgeClient({ region });
}

export async function replayCommand(args: readonly string[], io: ReplayIo, deps: ReplayDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  let a: Args;
  let since: Date;
  let until: Date;
  let archiveArn: string;
  let ruleArns: string[];
  let region: string;
  try {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      io.out(REPLAY_USAGE);
      return 0;
    }
    a = parsed;
    const t = now();
    since = parseTime(a.since, t, '--since');
    until = a.until === undefined ? t : parseTime(a.until, t, '--until');
    archiveArn = a.archive ?? env.S3_INDEX_ARCHIVE_ARN ?? '';
    ruleArns = a.rules.length > 0 ? a.rules : (env.S3_INDEX_INGEST_RULE_ARN ?? '').split(',').filter((r) => r !== '');
    if (archiveArn === '') {
      throw new UsageError('no archive: give --archive ARN or S3_INDEX_ARCHIVE_ARN (output EventsArchiveArn)');
    }
    if (ruleArns.length === 0) {
      throw new UsageError('no rule: give --rule ARN or S3_INDEX_INGEST_RULE_ARN (output IngestRuleArn)');
    }
    const archive = parseEventsArn(archiveArn);
    if (archive?.type !== 'archive')
      throw new UsageError(`the archive is not an EventBridge archive ARN: '${archiveArn}'`);
    // the client's region is the archive's: a replay happens where its archive is
    region = archive.region;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`s3-index replay: ${err.message}\n${REPLAY_USAGE}`);
    return 2;
  }

  const client = deps.client ? deps.client(region) : defaultClient(region);
  let started: StartedReplay | undefined;
  let last: ReplayStatus | undefined;
  try {
    started = await startReplay({
      client,
      archiveArn,
      ruleArns,
      eventBusArn: a.bus,
      since,
      until,
      name: a.name,
      description: `s3-index replay ${since.toISOString()} to ${until.toISOString()}`,
      now,
      onWarning: (m) => io.err(`s3-index replay: warning: ${m}\n`),
    });
    io.err(
      `s3-index replay: started ${started.name}: ${since.toISOString()} to ${until.toISOString()} from ${archiveArn} ` +
        `to ${ruleArns.join(', ')}\n`,
    );
    if (!a.wait) {
      io.out(`${JSON.stringify(summary(started))}\n`);
      return 0;
    }
    const t0 = Date.now();
    const final = await followReplay({
      client,
      name: started.name,
      intervalMs: a.intervalS * 1000,
      signal: deps.signal,
      onProgress: (s) => {
        last = s;
        io.err(progressLine(s, t0));
      },
    });
    io.out(`${JSON.stringify(summary(started, final))}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ReplayError) {
      if (err.code === 'bad-window' || err.code === 'bad-arn' || err.code === 'bad-name') {
        io.err(`s3-index replay: ${err.message}\n${REPLAY_USAGE}`);
        return 2;
      }
      if (started !== undefined && (err.status !== undefined || err.code === 'aborted')) {
        io.out(`${JSON.stringify(summary(started, err.status ?? last))}\n`);
      }
      const hint =
        err.code === 'aborted' && started !== undefined
          ? `; follow it with: aws events describe-replay --replay-name ${started.name} (cancel-replay stops it)`
          : '';
      io.err(`s3-index replay: ${err.message}${hint}\n`);
      return 1;
    }
    const e = err as { name?: string; message?: string };
    io.err(`s3-index replay: EventBridge: ${e.name ?? 'Error'}: ${e.message ?? String(err)}\n`);
    return 1;
  } finally {
    client.destroy?.();
  }
}

/** `s3-index replay` in this process: stdout, stderr, the environment; Ctrl-C stops following (not the replay). */
export async function replayMain(args: readonly string[]): Promise<number> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    return await replayCommand(
      args,
      { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
      { signal: stop.signal },
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
}
