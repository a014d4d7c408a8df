/**
 * A fake EventBridge endpoint for the replay operations (there is no EventBridge to run here): the AWS JSON 1.1
 * protocol (POST /, `X-Amz-Target: AWSEvents.<Operation>`, JSON bodies, timestamps as epoch seconds, errors as
 * `{"__type": …, "message": …}` with status 400), so that the real @aws-sdk/client-eventbridge is what tests drive.
 *
 * DescribeArchive, StartReplay, DescribeReplay. A replay moves STARTING → RUNNING → … → COMPLETED, one step per
 * DescribeReplay (`steps` RUNNING polls, EventLastReplayedTime advancing through the window), unless told to end
 * FAILED or CANCELLED at a given poll. StartReplay checks what EventBridge checks: the archive exists, the name is
 * new, the destination is the archive's own bus, the window is not empty. Every request is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeArchive {
  name: string;
  /** the event bus it archives */
  source: string;
  state?: string;
  retentionDays?: number;
  /** seconds since the epoch */
  creationTime?: number;
}

export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

interface FakeReplay {
  name: string;
  arn: string;
  archiveArn: string;
  start: number;
  end: number;
  destination: unknown;
  polls: number;
  state: string;
  reason?: string;
  last?: number;
  startedAt: number;
  endedAt?: number;
  /** ends this way at this poll */
  failure?: { state: string; reason: string; atPoll: number };
}

export interface FakeEventBridge {
  url: string;
  region: string;
  account: string;
  requests: RecordedRequest[];
  archiveArn(name: string): string;
  busArn(name?: string): string;
  ruleArn(name: string): string;
  addArchive(a: FakeArchive): string;
  /** the next replay started ends `state` at its `atPoll`-th DescribeReplay (1-based), with `reason` */
  failNext(state: 'FAILED' | 'CANCELLED', reason: string, atPoll?: number): void;
  /** RUNNING polls before COMPLETED (default 2) */
  steps: number;
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown };

const err = (type: string, message: string): Reply => ({ status: 400, body: { __type: type, message } });

export async function fakeEventBridge(opts: { region?: string; account?: string } = {}): Promise<FakeEventBridge> {
  const region = opts.region ?? 'us-east-1';
  const account = opts.account ?? '123456789012';
  const prefix = `arn:aws:events:${region}:${account}`;
  const archives = new Map<string, FakeArchive>();
  const replays = new Map<string, FakeReplay>();
  const requests: RecordedRequest[] = [];
  let nextFailure: { state: string; reason: string; atPoll: number } | undefined;

  const archiveByArn = (arn: unknown): FakeArchive | undefined => {
    if (typeof arn !== 'string' || !arn.startsWith(`${prefix}:archive/`)) return undefined;
    return archives.get(arn.slice(`${prefix}:archive/`.length));
  };

  const describe = (r: FakeReplay) => ({
    ReplayName: r.name,
    ReplayArn: r.arn,
    EventSourceArn: r.archiveArn,
    Destination: r.destination,
    State: r.state,
    ...(r.reason !== undefined ? { StateReason: r.reason } : {}),
    EventStartTime: r.start,
    EventEndTime: r.end,
    ...(r.last !== undefined ? { EventLastReplayedTime: r.last } : {}),
    ReplayStartTime: r.startedAt,
    ...(r.endedAt !== undefined ? { ReplayEndTime: r.endedAt } : {}),
  });

  const fake: FakeEventBridge = {
    url: '',
    region,
    account,
    requests,
    steps: 2,
    archiveArn: (name) => `${prefix}:archive/${name}`,
    busArn: (name = 'default') => `${prefix}:event-bus/${name}`,
    ruleArn: (name) => `${prefix}:rule/${name}`,
    addArchive(a) {
      archives.set(a.name, a);
      return fake.archiveArn(a.name);
    },
    failNext(state, reason, atPoll = 2) {
      nextFailure = { state, reason, atPoll };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const operations: Record<string, (b: Record<string, unknown>) => Reply> = {
    DescribeArchive(b) {
      const a = archives.get(String(b.ArchiveName));
      if (a === undefined) return err('ResourceNotFoundException', `Archive ${String(b.ArchiveName)} does not exist.`);
      return {
        status: 200,
        body: {
          ArchiveArn: fake.archiveArn(a.name),
          ArchiveName: a.name,
          EventSourceArn: a.source,
          State: a.state ?? 'ENABLED',
          RetentionDays: a.retentionDays ?? 0,
          CreationTime: a.creationTime ?? 0,
          EventCount: 0,
          SizeBytes: 0,
        },
      };
    },
    StartReplay(b) {
      const name = String(b.ReplayName);
      const archive = archiveByArn(b.EventSourceArn);
      if (archive === undefined) {
        return err('ResourceNotFoundException', `Archive ${String(b.EventSourceArn)} does not exist.`);
      }
      const dest = b.Destination as { Arn?: string } | undefined;
      if (dest?.Arn !== archive.source) {
        return err(
          'ValidationException',
          'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
        );
      }
      const start = Number(b.EventStartTime);
      const end = Number(b.EventEndTime);
      if (!(end > start)) {
        return err(
          'ValidationException',
          'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
        );
      }
      if (replays.has(name)) return err('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
      const r: FakeReplay = {
        name,
        arn: `${prefix}:replay/${name}`,
        archiveArn: String(b.EventSourceArn),
        start,
        end,
        destination: b.Destination,
        polls: 0,
        state: 'STARTING',
        startedAt: Date.now() / 1000,
      };
      r.failure = nextFailure;
      nextFailure = undefined;
      replays.set(name, r);
      return { status: 200, body: { ReplayArn: r.arn, State: r.state, ReplayStartTime: r.startedAt } };
    },
    DescribeReplay(b) {
      const r = replays.get(String(b.ReplayName));
      if (r === undefined) return err('ResourceNotFoundException', `Replay ${String(b.ReplayName)} does not exist.`);
      if (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.state)) {
        r.polls++;
        if (r.failure !== undefined && r.polls >= r.failure.atPoll) {
          r.state = r.failure.state;
          r.reason = r.failure.reason;
          r.endedAt = Date.now() / 1000;
        } else if (r.polls > fake.steps) {
          r.state = 'COMPLETED';
          r.last = r.end;
          r.endedAt = Date.now() / 1000;
        } else {
          r.state = 'RUNNING';
          r.last = r.start + ((r.end - r.start) * r.polls) / (fake.steps + 1);
        }
      }
      return { status: 200, body: describe(r) };
    },
  };

  const server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      data += d;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : target;
      let body: Record<string, unknown> = {};
      try {
        body = data ? (JSON.parse(data) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      requests.push({ operation, body, headers: req.headers });
      const handler = req.method === 'POST' ? operations[operation] : undefined;
      const reply = handler ? handler(body) : err('UnknownOperationException', `unknown operation '${target}'`);
      res.writeHead(reply.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `req-${requests.length}`,
      });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
