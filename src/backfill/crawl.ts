/**
 * The backfill crawler: every object under a bucket prefix, by ListObjectsV2 requests running in parallel, each
 * object delivered exactly once (to `onPage`), whatever the key space looks like.
 *
 * Work items are ranges. A task owns the keys that start with its `prefix` and lie in (after, upto] in S3's order
 * (UTF-8 bytes; `after` undefined: from the prefix's first key, `upto` undefined: to its last). Lower bound exclusive,
 * upper bound inclusive: a range is listed from StartAfter=after (exactly S3's exclusive lower bound), and cutting a
 * range at any string m into (after, m] and (m, upto] loses and duplicates nothing, whether or not m is a key. S3 has
 * no upper bound in a request, so a task drops the rows above `upto` and stops at the first page that reaches it.
 *
 * Two strategies (`strategy`; defaultStrategy picks one):
 *  - 'ranges' (AWS S3): one task lists the whole prefix flat, page after page (concurrency 1 is the sequential
 *    ListObjectsV2 loop, request for request). An idle worker cuts the busiest task (probeCut): a delimited probe
 *    finds the folders after its cursor, and the range is cut at folder boundaries into as many parts as there are
 *    idle workers; where no folder boundary is found, at a guessed point (below). About one request per page.
 *  - 'folders' (S3-compatible servers): every folder down to maxDepth is listed with the delimiter, each its own
 *    task, and ranges are cut as below. At least one request per folder, but no request spans two folders.
 *
 * Splitting in 'folders', two ways:
 *  - Folders. A task at depth < maxDepth lists with Delimiter '/': keys directly under its prefix are its rows, and
 *    each CommonPrefix C becomes a new task (prefix C, depth + 1) bounded by the parent's range: (s, upto] where s is
 *    the StartAfter of the request that reported C and upto the parent's bound at that moment. The parent then skips
 *    C's keys: its next StartAfter is C + U+10FFFF, above every key of C (a key continuing C with U+10FFFF itself, a
 *    non-character, is the one thing this misses). A CommonPrefix is reported for a range only when some key of C
 *    lies in it (keys above StartAfter roll up into C), and a child owns C ∩ (s, upto], so a folder that straddles a
 *    range cut is crawled in two disjoint halves, once each. Deeper than maxDepth, tasks list without a delimiter.
 *  - Ranges. When a worker is idle and no task is queued, the running task that has listed the most pages and is not
 *    finished is cut: at a point m between its cursor (the last key it listed) and its bound, the running task keeps
 *    (cursor, m] and a new task takes (m, upto]. m is a guess (`midpoint`: halfway in code-point space at the first
 *    character where cursor and bound differ; with no bound, towards the end of the span that the keys listed so far
 *    share). A bad guess costs one near-empty request; correctness never depends on it. Keys that cluster are found by
 *    repeated halving, as idle workers keep cutting the busiest task.
 *
 * Paging uses StartAfter only (never continuation tokens): the next request of a task starts after the largest key or
 * CommonPrefix (+ U+10FFFF) its last page held, which is also how a range starts. (s3rver's continuation tokens use
 * DES and need --openssl-legacy-provider; StartAfter avoids them.) Pages are sorted (by bytes) before use and rows
 * outside the task's range are dropped, so a server whose page order or StartAfter comparison differs from S3's
 * (s3rver: filesystem walk order, UTF-16 comparison) cannot make a row come twice.
 *
 * Keys: requests ask for EncodingType 'url' (S3 then percent-encodes keys, so keys with characters XML 1.0 cannot
 * carry still list), and keys are decoded only when the response says EncodingType 'url' (the SDK does not decode).
 * s3rver ignores encoding-type and does not echo it, so its raw keys are taken as they are. `encodingType: 'none'`
 * omits the parameter.
 *
 * Stop and resume (a Lambda's time limit): when `stop` fires, no new request starts; the requests in flight finish and
 * deliver their pages, and the crawl resolves with `remaining`, the ranges still to list (each task's prefix, depth,
 * cursor and bound), in a form that JSON keeps. `resume` starts a crawl from such a list instead of the whole prefix:
 * together the two crawls deliver every object, each once (a page is delivered before its task's cursor moves past
 * it, so a stop never loses a page; it may repeat none either, since the remaining ranges start at the cursors).
 *
 * Retries: the SDK's own retries (maxAttempts) run inside each `send`; around it, a page that fails with throttling
 * (503 SlowDown), a 5xx, a timeout or a network error is retried here with full-jitter exponential backoff, up to
 * `maxRetries` times per page; other errors (403, NoSuchBucket, …) fail the crawl at once.
 */
import { setMaxListeners } from 'node:events';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { commonPrefix, compareKeys, decodeUrlKey, MAX_CHAR, midpoint, prefixEnd } from './keyspace';

export interface CrawledObject {
  /** the raw UTF-8 key */
  key: string;
  size: number;
  /** without quotes */
  etag: string;
  /** ms since the epoch */
  lastModified: number;
  storageClass: string;
}

export interface CrawlProgress {
  objects: number;
  pages: number;
  inFlight: number;
  errors: number;
}

export interface CrawlOptions {
  client: Pick<S3Client, 'send'>;
  bucket: string;
  prefix?: string;
  /** requests in flight at most (default 8) */
  concurrency?: number;
  /** MaxKeys per request (default 1000, S3's maximum) */
  pageSize?: number;
  /**
   * 'folders': every folder down to maxDepth listed with the delimiter, each its own task (one request per folder at
   * least). 'ranges': flat StartAfter paging, and a range is cut only when a worker is idle, at folder boundaries a
   * delimiter probe finds (or a guess): about one request per page, concurrency 1 is the sequential loop.
   */
  strategy?: 'folders' | 'ranges';
  /** folders deeper than this are listed without a delimiter (default 3; 0: no delimiter pass at all) */
  maxDepth?: number;
  /** the folder delimiter used for discovering sub-prefixes (default '/') */
  delimiter?: string;
  /** ask S3 for URL-encoded keys (default 'url') */
  encodingType?: 'url' | 'none';
  /** retries per page of retryable failures (default 8) */
  maxRetries?: number;
  /** first backoff in ms, doubled per attempt, full jitter (default 100) */
  retryBaseMs?: number;
  /** backoff cap in ms (default 5000) */
  retryMaxMs?: number;
  signal?: AbortSignal;
  /** stops the crawl cleanly: requests in flight finish, then it resolves with the ranges still to list */
  stop?: AbortSignal;
  /** the ranges a stopped crawl left (CrawlResult.remaining), instead of the whole prefix */
  resume?: readonly CrawlRange[];
  /** a page of rows, in key order within the page; calls never overlap (the next waits for a returned promise) */
  onPage(rows: CrawledObject[]): void | Promise<void>;
  onProgress?(p: CrawlProgress): void;
}

/** A range still to list: keys starting with `prefix`, after `after` (exclusive), up to `upto` (inclusive). */
export interface CrawlRange {
  prefix: string;
  after?: string;
  upto?: string;
  /** folder depth below the crawl's prefix (decides whether it lists with the delimiter) */
  depth: number;
}

export interface CrawlResult {
  objects: number;
  pages: number;
  /** ListObjectsV2 requests that returned (pages and probes; retries not counted) */
  requests: number;
  ms: number;
  retries: number;
  /** empty when the crawl finished; the ranges left when `stop` fired */
  remaining: CrawlRange[];
}

interface Task {
  prefix: string;
  /** exclusive lower bound (StartAfter) */
  after: string | undefined;
  /** inclusive upper bound; lowered when the task is cut */
  upto: string | undefined;
  depth: number;
  /** StartAfter of the next request */
  cursor: string | undefined;
  /** the first key listed, for guessing where the task's keys end */
  firstKey: string | undefined;
  pages: number;
  done: boolean;
  /** a probe for its cut points is in flight */
  probing: boolean;
  /** probed once before its first page returned (a whole prefix) */
  probedUnlisted: boolean;
  /** probes found no folder boundary in its range: cut it at guessed points without asking again */
  noFolders: boolean;
}

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'NetworkingError',
]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** Throttling, 5xx, timeouts, network errors: worth another try. */
export function isRetryable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e.name === 'AbortError') return false;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return Boolean(e.$retryable);
}

/** The abort's reason, or an AbortError naming what was aborted. */
export function abortError(signal: AbortSignal, what = 'the crawl'): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error(`${what} was aborted`), { name: 'AbortError' });
}

/** A backoff wait that an abort cuts short (rejecting with abortError). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * 'ranges' against AWS S3 itself; 'folders' against an S3-compatible server (a custom endpoint: the client's own, or
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, which the SDK honours). Flat StartAfter paging is exact only where pages
 * come in S3's byte order, and not every such server keeps it: s3rver returns its filesystem walk order (a folder
 * 'with/' is walked before 'with space/', whose keys sort first) and compares StartAfter in UTF-16, so its flat pages
 * can pass keys they have not returned yet. A delimited listing stays inside one folder, where that cannot happen.
 */
export function defaultStrategy(
  client: Pick<S3Client, 'send'> & { config?: { endpoint?: unknown } },
  env: NodeJS.ProcessEnv = process.env,
): 'folders' | 'ranges' {
  const custom = client.config?.endpoint !== undefined || Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return custom ? 'folders' : 'ranges';
}

const isAbove = (key: string, bound: string | undefined) => bound !== undefined && compareKeys(key, bound) > 0;
const isAfter = (key: string, bound: string | undefined) => bound === undefined || compareKeys(key, bound) > 0;

export async function crawl(opts: CrawlOptions): Promise<CrawlResult> {
  const t0 = performance.now();
  const prefix = opts.prefix ?? '';
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 8));
  const pageSize = Math.max(1, Math.min(1000, Math.floor(opts.pageSize ?? 1000)));
  const maxDepth = opts.maxDepth ?? 3;
  const strategy = opts.strategy ?? defaultStrategy(opts.client);
  const delimiter = opts.delimiter ?? '/';
  const encodingType = opts.encodingType ?? 'url';
  const maxRetries = opts.maxRetries ?? 8;
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const retryMaxMs = opts.retryMaxMs ?? 5000;

  // one controller for the crawl: the caller's signal, or the first failure, stops every worker
  const ctl = new AbortController();
  const onOuterAbort = () => ctl.abort(opts.signal!.reason);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = ctl.signal;
  // every request in flight listens to it (the SDK's abortSignal), and sleeping retries too
  setMaxListeners(2 * concurrency + 16, signal);

  const stats = { objects: 0, pages: 0, inFlight: 0, errors: 0, retries: 0, requests: 0 };
  const queue: Task[] = [];
  const running = new Set<Task>();
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  let delivering: Promise<void> = Promise.resolve();
  let failure: { err: unknown } | undefined;

  const newTask = (p: string, after: string | undefined, upto: string | undefined, depth: number): Task => ({
    prefix: p,
    after,
    upto,
    depth,
    cursor: after,
    firstKey: undefined,
    pages: 0,
    done: false,
    probing: false,
    probedUnlisted: false,
    noFolders: false,
  });

  /** A page of the task's range (delimited in 'folders' above maxDepth), or a probe of `probe`'s folders. */
  async function list(task: Task, probe?: string): Promise<ListObjectsV2CommandOutput> {
    const delimited = probe !== undefined || (strategy === 'folders' && task.depth < maxDepth);
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      stats.inFlight++;
      try {
        return await opts.client
          .send(
            new ListObjectsV2Command({
              Bucket: opts.bucket,
              Prefix: (probe ?? task.prefix) || undefined,
              StartAfter: task.cursor,
              MaxKeys: probe !== undefined ? 1000 : pageSize,
              Delimiter: delimited ? delimiter : undefined,
              EncodingType: encodingType === 'url' ? 'url' : undefined,
            }),
            { abortSignal: signal },
          )
          .then((out) => {
            stats.requests++;
            return out;
          });
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        stats.errors++;
        if (attempt >= maxRetries || !isRetryable(err)) throw err;
        stats.retries++;
        const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** attempt);
        await sleep(Math.random() * backoff, signal);
      } finally {
        stats.inFlight--;
      }
    }
  }

  /** One request of a task: rows delivered, sub-folders queued, the cursor moved; false when the task is finished. */
  async function step(task: Task): Promise<boolean> {
    const startAfter = task.cursor;
    const out = await list(task);
    const decode = out.EncodingType === 'url' ? decodeUrlKey : (s: string) => s;
    const upto = task.upto; // as cut while the request was in flight
    let reachedEnd = !out.IsTruncated;
    let max: string | undefined;

    const rows: CrawledObject[] = [];
    for (const c of out.Contents ?? []) {
      if (c.Key === undefined) continue;
      const key = decode(c.Key);
      if (max === undefined || compareKeys(key, max) > 0) max = key;
      if (!key.startsWith(task.prefix) || !isAfter(key, startAfter)) continue;
      if (isAbove(key, upto)) {
        reachedEnd = true;
        continue;
      }
      rows.push({
        key,
        size: c.Size ?? 0,
        etag: (c.ETag ?? '').replace(/^(W\/)?"|"$/g, ''),
        lastModified: c.LastModified ? c.LastModified.getTime() : 0,
        storageClass: c.StorageClass ?? 'STANDARD',
      });
    }
    rows.sort((x, y) => compareKeys(x.key, y.key));

    const folders = (out.CommonPrefixes ?? [])
      .flatMap((p) => (p.Prefix === undefined ? [] : [decode(p.Prefix)]))
      .filter((p) => p.startsWith(task.prefix) && p !== task.prefix)
      .sort(compareKeys);
    for (const p of folders) {
      const skip = p + MAX_CHAR;
      if (max === undefined || compareKeys(skip, max) > 0) max = skip;
      // a folder is reported again only by a server that pages by keys alone (s3rver): past the cursor it is not
      if (startAfter !== undefined && compareKeys(skip, startAfter) <= 0) continue;
      if (isAbove(p, upto)) {
        reachedEnd = true;
        continue;
      }
      queue.push(newTask(p, startAfter, upto, task.depth + 1));
    }

    if (rows.length > 0) {
      if (task.firstKey === undefined) task.firstKey = rows[0]!.key;
      const batch = rows;
      const turn = delivering.then(() => {
        if (!signal.aborted) return opts.onPage(batch);
      });
      delivering = turn.catch(() => {});
      await turn;
      stats.objects += rows.length;
    }
    stats.pages++;
    task.pages++;
    opts.onProgress?.({ objects: stats.objects, pages: stats.pages, inFlight: stats.inFlight, errors: stats.errors });

    if (reachedEnd) return false;
    if (max === undefined || (startAfter !== undefined && compareKeys(max, startAfter) <= 0)) {
      throw new Error(`ListObjectsV2 made no progress past ${JSON.stringify(startAfter)} (prefix ${task.prefix})`);
    }
    task.cursor = max;
    // a cut may have moved the bound below the new cursor already
    return !(task.upto !== undefined && compareKeys(max, task.upto) >= 0);
  }

  /**
   * The unfinished task that has listed the most pages (not one being probed), if any has listed one; with
   * `unlisted`, also a task of a whole prefix still on its first request (a probe may cut it meanwhile).
   */
  function busiest(unlisted = false): Task | undefined {
    let best: Task | undefined;
    for (const t of running) {
      if (t.done || t.probing) continue;
      const whole = unlisted && !t.probedUnlisted && t.cursor === undefined && t.upto === undefined;
      if (!whole && (t.pages === 0 || t.cursor === undefined)) continue;
      if (!best || t.pages > best.pages) best = t;
    }
    return best;
  }

  /** Cut the busiest unfinished task, if a cut point exists; the new task takes the upper part. */
  function cut(): Task | undefined {
    const best = busiest();
    return best === undefined ? undefined : cutAt(best);
  }

  /** Cuts `best` at a guessed point between its cursor and its bound; the new task takes the upper part. */
  function cutAt(best: Task): Task | undefined {
    const cursor = best.cursor!;
    let hi = best.upto;
    if (hi === undefined && best.firstKey !== undefined) {
      // no bound: guess the keys share what the first and the last key listed share, but one character less
      const shared = commonPrefix(best.firstKey, cursor);
      if (shared.length > best.prefix.length + 1) hi = prefixEnd(Array.from(shared).slice(0, -1).join(''));
      if (hi !== undefined && compareKeys(hi, cursor) <= 0) hi = undefined;
    }
    let m = midpoint(cursor, hi);
    if (m === undefined && hi !== best.upto) m = midpoint(cursor, best.upto);
    if (m === undefined || compareKeys(m, cursor) <= 0 || isAbove(m, best.upto) || m === best.upto) return undefined;
    const t = newTask(best.prefix, m, best.upto, best.depth);
    best.upto = m;
    return t;
  }

  /** The folder part of s (up to its last delimiter), never shorter than `floor`. */
  const folderOf = (s: string, floor: string): string => {
    const i = s.lastIndexOf(delimiter);
    const f = i < 0 ? '' : s.slice(0, i + delimiter.length);
    return f.length >= floor.length && f.startsWith(floor) ? f : floor;
  };

  /**
   * 'ranges': an idle worker cuts the busiest task. It asks for the folders after the task's cursor (a delimited
   * probe of the deepest folder holding the task's whole range, then of the cursor's own folders below it, up to
   * maxDepth probes) and cuts the range at folder boundaries, into as many parts as there are idle workers (the task
   * keeps the first). A folder boundary C cuts (cursor, upto] into (cursor, C] and (C, upto]: C's keys all lie above
   * C. Without a boundary, a guessed point (cutAt). Probes deliver nothing; correctness never depends on them.
   */
  async function probeCut(): Promise<boolean> {
    const best = busiest(true);
    if (best === undefined) return false;
    best.probing = true;
    if (best.cursor === undefined) best.probedUnlisted = true;
    const idle = waiters.length + 1;
    try {
      if (best.noFolders) {
        const t = cutAt(best);
        if (t !== undefined) queue.push(t);
        return t !== undefined;
      }
      const span = best.upto === undefined ? best.prefix : commonPrefix(best.cursor ?? best.prefix, best.upto);
      let level = folderOf(span, best.prefix);
      for (let d = 0; d < Math.max(1, maxDepth); d++) {
        const out = await list(best, level);
        if (best.done) return true;
        const decode = out.EncodingType === 'url' ? decodeUrlKey : (x: string) => x;
        const cursor = best.cursor;
        const upto = best.upto;
        const bounds = (out.CommonPrefixes ?? [])
          .flatMap((p) => (p.Prefix === undefined ? [] : [decode(p.Prefix)]))
          .filter(
            (p) =>
              p.startsWith(level) &&
              (cursor === undefined || compareKeys(p, cursor) > 0) &&
              (upto === undefined || compareKeys(p, upto) < 0),
          )
          .sort(compareKeys);
        if (bounds.length > 0) {
          const parts = Math.min(idle, bounds.length);
          const at: string[] = [];
          for (let i = 1; i <= parts; i++) {
            const b = bounds[Math.floor((i * bounds.length) / (parts + 1))] ?? bounds.at(-1)!;
            if (at.length === 0 || compareKeys(b, at.at(-1)!) > 0) at.push(b);
          }
          for (let i = 0; i < at.length; i++)
            queue.push(newTask(best.prefix, at[i], i + 1 < at.length ? at[i + 1] : upto, best.depth));
          best.upto = at[0];
          return true;
        }
        // no folder after the cursor at this level: look one level down the cursor's path
        if (cursor === undefined) return false;
        const rest = cursor.slice(level.length);
        const i = rest.indexOf(delimiter);
        if (i < 0) break;
        level += rest.slice(0, i + delimiter.length);
      }
      best.noFolders = true;
      const t = cutAt(best);
      if (t === undefined) return false;
      t.noFolders = true;
      queue.push(t);
      return true;
    } finally {
      best.probing = false;
    }
  }

  const stopped = () => opts.stop?.aborted === true;
  const left: Task[] = [];

  async function runTask(task: Task): Promise<void> {
    running.add(task);
    try {
      let more = true;
      while (more && !signal.aborted && !stopped()) {
        more = await step(task);
        if (more) wake();
      }
      if (more && stopped()) left.push(task);
    } finally {
      task.done = true;
      running.delete(task);
      wake();
    }
  }

  async function worker(): Promise<void> {
    while (!signal.aborted && !stopped()) {
      const task = queue.shift() ?? (strategy === 'folders' ? cut() : undefined);
      if (task) {
        await runTask(task);
        continue;
      }
      if (strategy === 'ranges' && (await probeCut())) {
        wake();
        continue;
      }
      if (running.size === 0 && queue.length === 0) return;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  if (opts.resume !== undefined) {
    for (const r of opts.resume) queue.push(newTask(r.prefix, r.after, r.upto, r.depth));
  } else queue.push(newTask(prefix, undefined, undefined, 0));
  const workers = Array.from({ length: concurrency }, () =>
    worker().catch((err) => {
      if (!failure) failure = { err };
      if (!signal.aborted) ctl.abort(err);
      wake();
    }),
  );
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort, { once: true });
  opts.stop?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(workers);
    await delivering;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    signal.removeEventListener('abort', onAbort);
    opts.stop?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.err;
  if (signal.aborted) throw abortError(signal);
  const remaining: CrawlRange[] = [...left, ...queue].map((t) => {
    const r: CrawlRange = { prefix: t.prefix, depth: t.depth };
    if (t.cursor !== undefined) r.after = t.cursor;
    if (t.upto !== undefined) r.upto = t.upto;
    return r;
  });
  return {
    objects: stats.objects,
    pages: stats.pages,
    requests: stats.requests,
    ms: performance.now() - t0,
    retries: stats.retries,
    remaining,
  };
}
