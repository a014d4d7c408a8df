/**
 * Client subcommands: the index's queries and ingestion from a shell, against a running `s3-index serve` (or any
 * deployment of the HTTP API), through its /v1 JSON API.
 *
 *   s3-index ls BUCKET[/PREFIX] [--recursive]   like `aws s3 ls`: "PRE name/" lines and "date time size name" lines
 *   s3-index head BUCKET KEY                    one object's metadata (JSON), exit 1 when absent
 *   s3-index stats BUCKET [PREFIX]              {"objects", "bytes"} under the prefix
 *   s3-index ingest [FILE...]                   POSTs each file (or stdin) to /v1/events, prints each outcome
 *   s3-index backfill BUCKET[/PREFIX]           crawls the bucket's listing (src/backfill/crawl.ts) into the index
 *     (or --bucket B [--prefix P]; --inventory s3://…/manifest.json reads an S3 Inventory instead)
 *   s3-index reconcile BUCKET[/PREFIX]          the index against a fresh listing: drift reported, --repair fixes it
 *
 * backfill and reconcile may work on a store directly (--data-dir DIR, --store s3://…) instead of a server.
 *
 * Options: --url URL (S3_INDEX_URL, default http://127.0.0.1:8080), --token TOKEN (S3_INDEX_TOKEN; a bearer token
 * from S3_INDEX_API_TOKENS on the server), --help. BUCKET may be written s3://BUCKET. These three are global: they
 * may also come before the command name, as in git and the AWS CLI (`s3-index --url URL ls BUCKET`; main.ts).
 */
import { readFile } from 'node:fs/promises';
import type { CrawledObject } from '../backfill/crawl';
import { progressReporter } from './progress';

export const CLIENT_USAGE = `client commands (against a running server, see --url):
  ls BUCKET[/PREFIX] [--recursive]   list like 'aws s3 ls' (PRE lines for folders; --recursive: every key)
  head BUCKET KEY                    one object's metadata as JSON (exit 1 when there is none)
  stats BUCKET [PREFIX]              object count and bytes under a prefix, as JSON
  ingest [FILE...]                   POST S3 events (EventBridge, SQS batch, classic notification; '-' or none: stdin)
  backfill BUCKET[/PREFIX] [--concurrency 8] [--inventory s3://BUCKET/PATH/manifest.json]
                                     index what the bucket already holds: ListObjectsV2 in parallel (AWS credentials
                                     from the usual chain; AWS_ENDPOINT_URL_S3 for an S3-compatible server), or the
                                     CSV files of an S3 Inventory; merged so that no row overrides an event
                                     (S3IDX.BACKFILL); a progress bar on a terminal, a summary as JSON
                                     (--bucket B and --prefix P may stand for BUCKET/PREFIX)
  reconcile BUCKET[/PREFIX] [--repair] [--json] [--concurrency 8]
                                     the index against a fresh listing: keys missing, extra (HeadObject says 404),
                                     stale, awaiting verification; a table (or --json); exit 1 while drift remains;
                                     --repair fixes it under the same merge rule as backfill
  backfill and reconcile take --data-dir DIR or --store s3://BUCKET/PREFIX instead of a server: the index in that
  store is restored here, written to (each page committed to its log) and snapshotted at the end; stop any server
  on that store first (a data directory a running server uses is refused)
global options (before or after the command): --url URL (env S3_INDEX_URL, default http://127.0.0.1:8080),
  --token TOKEN (env S3_INDEX_TOKEN), --help
`;

export const CLIENT_COMMANDS = ['ls', 'head', 'stats', 'ingest', 'backfill', 'reconcile'] as const;

/** The client commands' options that may also come before the command name, and whether each takes a value. */
export const GLOBAL_OPTIONS: ReadonlyMap<string, { takesValue: boolean }> = new Map([
  ['--url', { takesValue: true }],
  ['--token', { takesValue: true }],
  ['--help', { takesValue: false }],
  ['-h', { takesValue: false }],
]);
export type ClientCommand = (typeof CLIENT_COMMANDS)[number];

export interface ClientIo {
  out(text: string): void;
  err(text: string): void;
  /** standard error when it is a terminal: progress bars are drawn there */
  tty?: NodeJS.WriteStream;
  /** the whole of standard input (ingest without files) */
  stdin(): Promise<string>;
}

/** A usage or server problem: printed as `s3-index <cmd>: <message>`, exit status `code`. */
class ClientError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

interface Parsed {
  positional: string[];
  url: string;
  token: string | undefined;
  recursive: boolean;
  /** backfill: ListObjectsV2 requests in flight */
  concurrency: number;
  /** backfill: --bucket / --prefix instead of BUCKET/PREFIX */
  bucket: string | undefined;
  prefix: string | undefined;
  /** backfill: an S3 Inventory manifest (s3://…) to read instead of listing */
  inventory: string | undefined;
  /** backfill, reconcile: the index in a store of its own instead of a server (--data-dir DIR, --store s3://…) */
  dataDir: string | undefined;
  store: string | undefined;
  /** --url given on the command line or in S3_INDEX_URL */
  urlGiven: boolean;
  /** reconcile */
  repair: boolean;
  json: boolean;
  help: boolean;
}

/** Options and arguments in any order; `--opt value` or `--opt=value`; the last of a repeated option wins. */
function parseArgs(cmd: ClientCommand, args: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  const p: Parsed = {
    positional: [],
    url: env.S3_INDEX_URL ?? 'http://127.0.0.1:8080',
    token: env.S3_INDEX_TOKEN || undefined,
    recursive: false,
    concurrency: 8,
    bucket: undefined,
    prefix: undefined,
    inventory: undefined,
    dataDir: undefined,
    store: undefined,
    urlGiven: env.S3_INDEX_URL !== undefined && env.S3_INDEX_URL !== '',
    repair: false,
    json: false,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new ClientError(`${name} needs a value`, 2);
      return v;
    };
    if (name === '--url') {
      p.url = value();
      p.urlGiven = true;
    } else if (name === '--token') p.token = value();
    else if (a === '--help' || a === '-h') p.help = true;
    else if (a === '--recursive' && cmd === 'ls') p.recursive = true;
    else if (a === '--repair' && cmd === 'reconcile') p.repair = true;
    else if (a === '--json' && cmd === 'reconcile') p.json = true;
    else if (name === '--concurrency' && (cmd === 'backfill' || cmd === 'reconcile')) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new ClientError('--concurrency must be 1-256', 2);
      p.concurrency = n;
    } else if (name === '--bucket' && (cmd === 'backfill' || cmd === 'reconcile')) p.bucket = value();
    else if (name === '--prefix' && (cmd === 'backfill' || cmd === 'reconcile')) p.prefix = value();
    else if (name === '--inventory' && cmd === 'backfill') p.inventory = value();
    else if (name === '--data-dir' && (cmd === 'backfill' || cmd === 'reconcile')) p.dataDir = value();
    else if (name === '--store' && (cmd === 'backfill' || cmd === 'reconcile')) p.store = value();
    // the name only: what follows '=' may be a token
    else if (a.startsWith('--')) throw new ClientError(`unknown option ${name}`, 2);
    else p.positional.push(a);
  }
  if (p.help) return p;
  const targets = [p.dataDir !== undefined && '--data-dir', p.store !== undefined && '--store'].filter(Boolean);
  if (targets.length > 1) throw new ClientError('--data-dir and --store name two indexes: give one', 2);
  if (targets.length === 1 && p.urlGiven)
    throw new ClientError(`${targets[0]} writes the index itself: it takes no --url (nor S3_INDEX_URL)`, 2);
  if (p.dataDir === '') throw new ClientError('--data-dir needs a directory', 2);
  if (p.store !== undefined && !p.store.startsWith('s3://'))
    throw new ClientError(`--store must be s3://BUCKET/PREFIX (got ${p.store})`, 2);
  let base: URL;
  try {
    base = new URL(p.url);
  } catch {
    throw new ClientError(`--url is not a URL: ${p.url}`, 2);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ClientError('--url must be http(s)', 2);
  p.url = p.url.replace(/\/+$/, '');
  return p;
}

/** A JSON request to the API; ClientErrors carry the server's message on failure. */
async function call(p: Parsed, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (p.token !== undefined) headers.set('authorization', `Bearer ${p.token}`);
  let res: Response;
  try {
    res = await fetch(`${p.url}${path}`, { ...init, headers });
  } catch {
    throw new ClientError(`cannot reach ${p.url} (is 's3-index serve' running? see --url)`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  if (res.status === 401) throw new ClientError('unauthorized: pass a token with --token or S3_INDEX_TOKEN');
  return { status: res.status, body };
}

function errorOf(status: number, body: unknown): ClientError {
  const e = (body as { error?: unknown } | undefined)?.error;
  const message =
    typeof e === 'string'
      ? e // /redis answers {"error": "ERR …"}
      : typeof (e as { message?: unknown })?.message === 'string'
        ? (e as { message: string }).message
        : typeof body === 'string'
          ? body
          : 'request failed';
  return new ClientError(`${message} (HTTP ${status})`);
}

/** "s3://bucket/some/prefix" or "bucket/some/prefix" → [bucket, prefix]. */
function bucketAndPrefix(arg: string): [string, string] {
  const s = arg.startsWith('s3://') ? arg.slice(5) : arg;
  const slash = s.indexOf('/');
  return slash < 0 ? [s, ''] : [s.slice(0, slash), s.slice(slash + 1)];
}

const enc = encodeURIComponent;

interface ListPageJson {
  objects: Array<{ key: string; size: number; lastModified: string }>;
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken: string | null;
}

/** One formatter per zone: making one costs far more than formatting. */
const lsFormats = new Map<string, Intl.DateTimeFormat>();
function lsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = lsFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    lsFormats.set(timeZone, f);
  }
  return f;
}

/**
 * An ISO time as `aws s3 ls` prints it: "YYYY-MM-DD HH:MM:SS" in the local time zone (the process's TZ), or in
 * `timeZone` when given. Unparsable times are printed as they came.
 */
export function lsTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (timeZone === undefined) {
    // the process's zone: Date's local getters, ~50× cheaper than Intl (a recursive listing formats every key)
    const two = (n: number) => String(n).padStart(2, '0');
    const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }
  const f = lsFormat(timeZone);
  const part: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(d)) part[type] = value;
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

/** `aws s3 ls` lines: folders as PRE, objects as "YYYY-MM-DD HH:MM:SS <size> <name>" (local time, as the AWS CLI). */
async function ls(p: Parsed, io: ClientIo): Promise<number> {
  const [target, extra] = p.positional;
  if (target === undefined || extra !== undefined) throw new ClientError('usage: s3-index ls BUCKET[/PREFIX]', 2);
  const [bucket, prefix] = bucketAndPrefix(target);
  // like the AWS CLI, a prefix is listed as a folder's contents: names are shown relative to its last '/'
  const shownFrom = p.recursive ? 0 : prefix.lastIndexOf('/') + 1;
  let token: string | null = null;
  do {
    const q = new URLSearchParams({ prefix, 'max-keys': '10000' });
    if (!p.recursive) q.set('delimiter', '/');
    if (token !== null) q.set('continuation-token', token);
    const { status, body } = await call(p, `/v1/buckets/${enc(bucket)}/objects?${q}`);
    if (status !== 200) throw errorOf(status, body);
    const page = body as ListPageJson;
    const lines: string[] = [];
    for (const cp of page.commonPrefixes) lines.push(`${'PRE'.padStart(30)} ${cp.slice(shownFrom)}`);
    for (const o of page.objects) {
      lines.push(`${lsTime(o.lastModified)} ${String(o.size).padStart(10)} ${o.key.slice(shownFrom)}`);
    }
    if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
    token = page.isTruncated ? page.nextContinuationToken : null;
  } while (token !== null);
  return 0;
}

async function head(p: Parsed, io: ClientIo): Promise<number> {
  const [target, key, extra] = p.positional;
  if (target === undefined || key === undefined || extra !== undefined) {
    throw new ClientError('usage: s3-index head BUCKET KEY', 2);
  }
  const [bucket] = bucketAndPrefix(target);
  // each '/' of the key stays a path separator (the API keeps them all, doubled and trailing ones too)
  const path = key.split('/').map(enc).join('/');
  const { status, body } = await call(p, `/v1/buckets/${enc(bucket)}/objects/${path}`);
  if (status === 404) {
    io.err(`s3-index head: ${(body as { error?: { message?: string } }).error?.message ?? 'not found'}\n`);
    return 1;
  }
  if (status !== 200) throw errorOf(status, body);
  io.out(`${JSON.stringify(body, null, 2)}\n`);
  return 0;
}

async function stats(p: Parsed, io: ClientIo): Promise<number> {
  const [target, prefixArg, extra] = p.positional;
  if (target === undefined || extra !== undefined) throw new ClientError('usage: s3-index stats BUCKET [PREFIX]', 2);
  const [bucket, inline] = bucketAndPrefix(target);
  const prefix = prefixArg ?? inline;
  const { status, body } = await call(p, `/v1/buckets/${enc(bucket)}/stats?${new URLSearchParams({ prefix })}`);
  if (status !== 200) throw errorOf(status, body);
  io.out(`${JSON.stringify(body)}\n`);
  return 0;
}

/** Each input is one POST; the outcome of each is printed as a JSON line. Exit 1 when any event was rejected. */
async function ingest(p: Parsed, io: ClientIo): Promise<number> {
  const inputs = p.positional.length === 0 ? ['-'] : p.positional;
  let rejected = 0;
  for (const name of inputs) {
    let text: string;
    try {
      text = name === '-' ? await io.stdin() : await readFile(name, 'utf8');
    } catch (err) {
      throw new ClientError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const { status, body } = await call(p, '/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    if (status !== 200) throw errorOf(status, body);
    rejected += (body as { rejected?: unknown[] }).rejected?.length ?? 0;
    io.out(`${JSON.stringify(inputs.length > 1 ? { file: name, ...(body as object) } : body)}\n`);
  }
  return rejected > 0 ? 1 : 0;
}

/**
 * Backfill: the crawl's start by the server's clock (TIME: the tombstones it is compared with carry the server's
 * times), then every page of the crawl as one S3IDX.BACKFILL through /redis, in order. Progress on stderr.
 *
 * With --inventory, the rows come from an S3 Inventory (src/backfill/inventory.ts) and the "crawl start" is the
 * inventory's creationTimestamp (when S3 began the scan it lists): a deletion ingested since then keeps a row from
 * resurrecting its key, as long as the index still holds its tombstone (compaction drops old ones: prefer an
 * inventory younger than the tombstone retention, or run a reconcile after).
 */
/** BUCKET[/PREFIX] or --bucket/--prefix of backfill and reconcile. */
function targetOf(p: Parsed, cmd: string): [string, string] {
  if (p.positional.length > 1) throw new ClientError(`${cmd} takes one BUCKET[/PREFIX]`, 2);
  const target = p.positional.length === 1 ? bucketAndPrefix(p.positional[0]!) : undefined;
  const bucket = p.bucket ?? target?.[0];
  const prefix = p.prefix ?? target?.[1] ?? '';
  if (bucket === undefined || bucket === '')
    throw new ClientError(`${cmd} needs a bucket: BUCKET[/PREFIX] or --bucket`, 2);
  if (p.bucket !== undefined && target !== undefined && target[0] !== p.bucket)
    throw new ClientError(`--bucket ${p.bucket} and ${p.positional[0]} name different buckets`, 2);
  return [bucket, prefix];
}

/** Where backfill and reconcile read and write the index: commands as JSON results, and a close. */
interface IndexTarget {
  redis(argv: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The server's /redis route; or, with --data-dir / --store, the store itself: restored into an engine here, every
 * write committed to its log before the next command (a server must not run on the same store meanwhile: its
 * commits would fence this one's, or the reverse), and a snapshot written at the end.
 */
async function indexOf(p: Parsed, io: ClientIo, cmd: string): Promise<IndexTarget> {
  if (p.dataDir === undefined && p.store === undefined)
    return {
      async redis(argv) {
        const { status, body } = await call(p, '/redis', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(argv),
        });
        if (status !== 200) throw errorOf(status, body);
        return (body as { result: unknown }).result;
      },
      close: async () => undefined,
    };
  const [{ createEngine }, { openStore, Persistence, refuseIfServed }, { replyToJson }] = await Promise.all([
    import('../service/create-engine'),
    import('../service/persistence'),
    import('../http/upstash'),
  ]);
  const log = (line: string) => io.err(`s3-index ${cmd}: ${line}\n`);
  const engine = createEngine();
  let persistence: import('../service/persistence').Persistence;
  try {
    const store = await openStore({ dataDir: p.dataDir, store: p.store }, log);
    await refuseIfServed(store, `s3-index ${cmd}`);
    persistence = await Persistence.open(engine, { store: store!, policy: 'always', saveRules: [], log });
  } catch (err) {
    throw new ClientError(`cannot open ${p.dataDir ?? p.store}: ${(err as Error).message}`);
  }
  const durable = persistence.durabilityBarrier();
  return {
    async redis(argv) {
      const reply = engine.execute(
        argv.map((a) => Buffer.from(a)),
        { id: 0, db: 0, resp: 2 },
      );
      await durable();
      if (reply.t === 'error') throw new Error(reply.v);
      return replyToJson(reply, false);
    },
    close: () => persistence.close({ snapshot: true }),
  };
}

/** An S3 client from the standard chain; path-style for an S3-compatible server (AWS_ENDPOINT_URL_S3). */
async function s3ClientFromEnv(): Promise<import('@aws-sdk/client-s3').S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: endpoint !== undefined && endpoint !== '',
  });
}

async function backfill(p: Parsed, io: ClientIo): Promise<number> {
  const [bucket, prefix] = targetOf(p, 'backfill');
  const target = await indexOf(p, io, 'backfill');
  const redis = target.redis;
  const totals: Record<string, number> = { applied: 0, stale: 0, duplicate: 0, ignored: 0 };
  const send = (crawlStart: number) => async (rows: CrawledObject[]) => {
    if (rows.length === 0) return;
    const argv = ['S3IDX.BACKFILL', bucket, String(crawlStart)];
    for (const r of rows)
      argv.push(r.key, String(r.size), r.etag, String(r.lastModified), r.storageClass || 'STANDARD');
    const reply = await redis(argv);
    // a map reply: an object, or [name, value, …] pairs in RESP2's form
    const pairs = Array.isArray(reply) ? reply : Object.entries(reply as object).flat();
    for (let i = 0; i + 1 < pairs.length; i += 2)
      totals[String(pairs[i])] = (totals[String(pairs[i])] ?? 0) + Number(pairs[i + 1]);
  };
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = await s3ClientFromEnv();
  const progress = progressReporter('s3-index backfill', { err: io.err, tty: io.tty });
  try {
    if (p.inventory !== undefined) {
      const inv = await import('../backfill/inventory');
      const manifest = inv.parseManifestUri(p.inventory);
      // the manifest's creationTimestamp is the rows' "crawl start"
      const text = await client.send(new GetObjectCommand({ Bucket: manifest.bucket, Key: manifest.key })).then(
        (o) => o.Body!.transformToString('utf8'),
        (err: Error) => {
          throw new ClientError(`cannot read ${p.inventory}: ${err.message || err.name}`);
        },
      );
      const m = inv.parseInventoryManifest(text, p.inventory);
      if (m.sourceBucket !== bucket)
        throw new ClientError(`${p.inventory} is an inventory of ${m.sourceBucket}, not of ${bucket}`, 2);
      const result = await inv.importInventory({
        client,
        manifest,
        prefix,
        concurrency: Math.min(p.concurrency, 16),
        onPage: send(m.createdAt),
        onProgress: (pr) =>
          progress.update({ objects: pr.objects, errors: pr.errors, done: pr.bytes, total: pr.totalBytes }),
      });
      progress.stop();
      io.out(`${JSON.stringify({ bucket, prefix, inventory: p.inventory, ...result, ...totals })}\n`);
      return 0;
    }
    const [sec, usec] = (await redis(['TIME'])) as [string, string];
    const crawlStart = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const { crawl } = await import('../backfill/crawl');
    const result = await crawl({
      client,
      bucket,
      prefix,
      concurrency: p.concurrency,
      onPage: send(crawlStart),
      onProgress: (pr) => progress.update({ objects: pr.objects, pages: pr.pages, errors: pr.errors }),
    });
    progress.stop();
    const { remaining: _, ...figures } = result;
    io.out(`${JSON.stringify({ bucket, prefix, ...figures, ...totals })}\n`);
    return 0;
  } catch (err) {
    progress.stop();
    if (err instanceof ClientError) throw err;
    throw new ClientError(
      `${p.inventory !== undefined ? 'the import' : 'the crawl'} failed: ${(err as Error).message}`,
    );
  } finally {
    client.destroy();
    await target.close();
  }
}

/** Reconcile (src/cli/reconcile.ts): the index through /redis against a fresh crawl of the bucket. */
async function reconcileCommand(p: Parsed, io: ClientIo): Promise<number> {
  const [bucket, prefix] = targetOf(p, 'reconcile');
  const { runReconcile } = await import('./reconcile');
  const target = await indexOf(p, io, 'reconcile');
  const s3 = await s3ClientFromEnv();
  try {
    return await runReconcile(
      { bucket, prefix, repair: p.repair, json: p.json, concurrency: p.concurrency },
      { redis: target.redis, s3, out: io.out, err: io.err },
    );
  } finally {
    s3.destroy();
    await target.close();
  }
}

const RUN: Record<ClientCommand, (p: Parsed, io: ClientIo) => Promise<number>> = {
  ls,
  head,
  stats,
  ingest,
  backfill,
  reconcile: reconcileCommand,
};

export async function runClient(
  cmd: ClientCommand,
  args: readonly string[],
  io: ClientIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const parsed = parseArgs(cmd, args, env);
    if (parsed.help) {
      io.out(CLIENT_USAGE);
      return 0;
    }
    return await RUN[cmd](parsed, io);
  } catch (err) {
    if (!(err instanceof ClientError)) throw err;
    io.err(`s3-index ${cmd}: ${err.message}\n`);
    if (err.code === 2) io.err(CLIENT_USAGE);
    return err.code;
  }
}

/** The process's own standard streams. */
export const processIo: ClientIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: process.stderr.isTTY ? process.stderr : undefined,
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};
