/**
 * RedisIndex: the ObjectIndex kept in a real Redis, Valkey or ElastiCache server (standalone or cluster, through an
 * ioredis client), for users who outgrow the bundled engine. Same data layout idea as the bundled engine
 * (src/index/store.ts, every key of a bucket under the hash tag {B}); the layout and the scripts are in
 * src/index/redis-scripts.ts.
 *
 * Ingest: the events are parsed and turned into index operations exactly as for the bundled engine (src/ingest/),
 * and the merge rules are the same code (src/index/key-state.ts, pure). Per bucket (buckets at once), a batch costs
 * two round trips:
 * one MULTI reading the stored state of every key the batch touches, then one APPLY script that writes the new states
 * as a compare-and-set per key: a key another worker changed in between is left alone, re-read and recomputed (the
 * rules make the result independent of the order in which workers apply events). Several ingest workers are safe.
 *
 * Listing: one LIST script fetches the keys a page needs (the listed keys from its start, one key per rolled-up
 * prefix, jumping past the prefix on the server), and src/index/list.ts makes the page from them exactly as it makes
 * it from the whole bucket (same continuation tokens, same renderers).
 *
 * stats: counters per folder level (count and bytes under every prefix ending in '/'), moved by APPLY in the same
 * atomic step as the key: O(1) for a folder prefix; for another prefix, a walk of the folder's direct entries that
 * match it, jumping over sub-folders (PREFIX_STATS). Memory: two hash fields per folder.
 *
 * Tombstones: kept for the bundled engine's retention (IndexLimits: 7 days, 1M per bucket), through a zset of each
 * key's newest tombstone time (`tombq`) that APPLY maintains and trims after every batch.
 *
 * onChange reports the changes this process makes, after their write, and those of other processes as APPLY
 * publishes them (PUBLISH on `s3idx:{B}:changes`, received on a connection of its own): a few milliseconds after
 * their write, so a response cache may serve a page for that long. After the subscription's connection was lost, it
 * reports everything (messages sent meanwhile are lost).
 */
import type { Cluster, Redis } from 'ioredis';
import { SortedSet } from '../engine/structures/sortedset';
import { applyOp, type IndexOp, type KeyState, type OpOutcome, visibleVersion } from '../index/key-state';
import {
  checkMaxKeys,
  checkRawMaxKeys,
  fail,
  type ListLimits,
  type ListOptions,
  type ListPage,
  type ListWindow,
  listPageOn,
  listWindow,
  type PageBounds,
  prefixSuccessor,
  type RawListOptions,
  type RawPage,
  type Result,
  type RowMaker,
  rawPageOn,
} from '../index/list';
import { type HeadResult, type PrefixStats, pickVersion } from '../index/lookup';
import {
  decodeHistory,
  decodeTombstones,
  encodeHistory,
  encodeTombstones,
  encodeVersion,
  type ObjectVersion,
  payloadSize,
  readVersion,
} from '../index/payload';
import { notPlainKey } from '../index/plain-keys';
import { APPLY_LUA, LIST_LUA, PREFIX_STATS_LUA } from '../index/redis-scripts';
import { BUCKETS_KEY, DEFAULT_LIMITS, type IndexLimits, indexKeyNames } from '../index/store';
import { toIndexOp } from '../ingest/ops';
import { parseInput } from '../ingest/parse';
import { emptyOutcome, type IngestOutcome } from '../ingest/types';
import { EVERYTHING, type IndexChange, IndexUnavailable, type ObjectIndex } from './object-index';

type Client = Redis | Cluster;

interface ScriptedClient {
  s3idxApply(...args: Array<string | Buffer | number>): Promise<number[]>;
  s3idxListBuffer(...args: Array<string | Buffer | number>): Promise<Array<Buffer | number | null>>;
  s3idxPrefixStatsBuffer(...args: Array<string | Buffer | number>): Promise<Array<Buffer | number | null>>;
}

/** The keys of a bucket in Redis: the bundled engine's names, plus the folder counters. */
export function redisKeyNames(bucket: string) {
  const n = indexKeyNames(bucket);
  const tag = n.keys.slice(0, n.keys.length - ':keys'.length);
  return {
    ...n,
    meta: `${tag}:meta`,
    dirn: `${tag}:dirn`,
    dirb: `${tag}:dirb`,
    tombq: `${tag}:tombq`,
    changes: `${tag}:changes`,
  };
}

/** A key's stored fields as read ('' absent), and its state. */
interface Stored {
  meta: Buffer;
  hist: Buffer;
  tomb: Buffer;
  verify: boolean;
}

const EMPTY = Buffer.alloc(0);

function stateOf(s: Stored): KeyState {
  const versions: ObjectVersion[] = s.hist.length > 0 ? decodeHistory(s.hist) : [];
  if (s.meta.length > 0) versions.unshift(readVersion(s.meta));
  return { versions, tombstones: s.tomb.length > 0 ? decodeTombstones(s.tomb) : [], verify: s.verify };
}

function storedOf(state: KeyState): Stored {
  const shown = visibleVersion(state);
  const others = shown ? state.versions.slice(1) : state.versions;
  return {
    meta: shown ? encodeVersion(shown) : EMPTY,
    hist: others.length > 0 ? encodeHistory(others) : EMPTY,
    tomb: state.tombstones.length > 0 ? encodeTombstones(state.tombstones) : EMPTY,
    verify: state.verify,
  };
}

const listedSize = (s: Stored): number => (s.meta.length > 0 ? payloadSize(s.meta, 0, s.meta.length) : -1);

/** One object key of a batch: its operations in order, and the outcome index of each. */
interface KeyWork {
  member: Buffer;
  ops: IndexOp[];
  slots: number[];
}

/** Files `op` (outcome slot `slot`) under its bucket and key. */
function group(byBucket: Map<string, Map<string, KeyWork>>, op: IndexOp, slot: number): void {
  let keys = byBucket.get(op.bucket);
  if (keys === undefined) {
    keys = new Map();
    byBucket.set(op.bucket, keys);
  }
  let work = keys.get(op.key);
  if (work === undefined) {
    work = { member: Buffer.from(op.key, 'utf8'), ops: [], slots: [] };
    keys.set(op.key, work);
  }
  work.ops.push(op);
  work.slots.push(slot);
}

export interface RedisIndexOptions {
  limits?: IndexLimits;
  /**
   * ms since the epoch (tombstone times, retention); default the Redis server's clock (TIME, read with the batch's
   * keys), the clock a backfill's crawl start and a reconcile's check time are read from (TIME over /redis): one
   * clock for every ingest process, whatever their hosts' clocks say
   */
  now?: () => number;
  /** compare-and-set rounds before a batch gives up (another writer keeps winning): default 16 */
  maxRounds?: number;
}

export class RedisIndex implements ObjectIndex {
  private readonly listeners: Array<(change: IndexChange) => void> = [];
  private readonly limits: IndexLimits;
  private readonly now: (() => number) | undefined;
  private readonly maxRounds: number;
  private readonly scripted: ScriptedClient;

  constructor(
    readonly redis: Client,
    opts: RedisIndexOptions = {},
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.now = opts.now;
    this.maxRounds = opts.maxRounds ?? 16;
    redis.defineCommand('s3idxApply', { numberOfKeys: 8, lua: APPLY_LUA });
    redis.defineCommand('s3idxList', { numberOfKeys: 2, lua: LIST_LUA });
    redis.defineCommand('s3idxPrefixStats', { numberOfKeys: 4, lua: PREFIX_STATS_LUA });
    this.scripted = redis as unknown as ScriptedClient;
  }

  async ingest(input: unknown): Promise<IngestOutcome> {
    const out = emptyOutcome();
    const items = parseInput(input);
    const outcomes: Array<OpOutcome | undefined> = new Array(items.length);
    const byBucket = new Map<string, Map<string, KeyWork>>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if ('rejected' in item) {
        out.rejected.push(
          item.messageId === undefined
            ? { index: item.index, reason: item.rejected }
            : { index: item.index, reason: item.rejected, messageId: item.messageId },
        );
        continue;
      }
      const op = 'event' in item ? toIndexOp(item.event) : undefined;
      if (op === undefined) out.ignored++;
      else group(byBucket, op, i);
    }
    await this.applyGrouped(byBucket, outcomes);
    for (const o of outcomes) if (o !== undefined) out[o]++;
    return out;
  }

  /**
   * Applies maintenance operations (a backfill's 'listed' rows, a reconcile's 'verified' results: S3IDX.BACKFILL and
   * S3IDX.VERIFIED) in order, as ingest applies events; how many had each outcome. Rejects with IndexUnavailable.
   */
  async apply(ops: readonly IndexOp[]): Promise<Record<OpOutcome, number>> {
    const byBucket = new Map<string, Map<string, KeyWork>>();
    for (let i = 0; i < ops.length; i++) group(byBucket, ops[i]!, i);
    const outcomes: Array<OpOutcome | undefined> = new Array(ops.length);
    await this.applyGrouped(byBucket, outcomes);
    const counts: Record<OpOutcome, number> = { applied: 0, stale: 0, duplicate: 0, ignored: 0 };
    for (const o of outcomes) if (o !== undefined) counts[o]++;
    return counts;
  }

  private async applyGrouped(
    byBucket: Map<string, Map<string, KeyWork>>,
    outcomes: Array<OpOutcome | undefined>,
  ): Promise<void> {
    try {
      // buckets at once (each its own slot in a cluster), and a bucket's registration beside its first read: the
      // batch is acknowledged once all of it is written
      await Promise.all(
        [...byBucket].map(([bucket, keys]) =>
          Promise.all([this.redis.sadd(BUCKETS_KEY, bucket), this.applyBucket(bucket, [...keys.values()], outcomes)]),
        ),
      );
    } catch (err) {
      if (err instanceof IndexUnavailable) throw err;
      throw new IndexUnavailable(`the Redis server did not take the batch: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Applies the keys' operations by compare-and-set rounds, until no other writer came between read and write. */
  private async applyBucket(bucket: string, work: KeyWork[], outcomes: Array<OpOutcome | undefined>): Promise<void> {
    const names = redisKeyNames(bucket);
    let pending = work;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= this.maxRounds)
        throw new IndexUnavailable(`${pending.length} keys of ${bucket} kept changing under this batch`);
      const { stored, time } = await this.read(
        names,
        pending.map((w) => w.member),
      );
      const now = this.now?.() ?? time;
      const args: Array<string | Buffer> = [];
      const written: KeyWork[] = [];
      for (let i = 0; i < pending.length; i++) {
        const w = pending[i]!;
        const before = stored[i]!;
        let state = stateOf(before);
        const initial = state;
        for (let j = 0; j < w.ops.length; j++) {
          const r = applyOp(state, w.ops[j]!, now, this.limits);
          outcomes[w.slots[j]!] = r.outcome;
          state = r.state;
        }
        if (state === initial) continue;
        const after = storedOf(state);
        args.push(w.member, before.meta, before.hist, before.tomb, before.verify ? '1' : '0');
        args.push(after.meta, after.hist, after.tomb, after.verify ? '1' : '0');
        args.push(String(listedSize(before)), String(listedSize(after)));
        args.push(String(state.tombstones.reduce((t, x) => Math.max(t, x.at), 0)));
        written.push(w);
      }
      // nothing to write: the retention still runs (the bundled engine compacts after every batch too)
      if (written.length === 0 && round > 0) return;
      const conflicts = await this.scripted.s3idxApply(
        names.keys,
        names.meta,
        names.hist,
        names.tomb,
        names.verify,
        names.dirn,
        names.dirb,
        names.tombq,
        String(now - this.limits.tombstoneRetentionMs),
        String(this.limits.maxTombstones),
        '10000',
        names.changes,
        ...args,
      );
      const lost = new Set(conflicts.map((c) => Number(c) - 1));
      for (let i = 0; i < written.length; i++) if (!lost.has(i)) this.report({ bucket, key: written[i]!.member });
      pending = written.filter((_, i) => lost.has(i));
    }
  }

  /**
   * The stored fields of `members` of one bucket, read in one MULTI (a consistent view), and the server's time then
   * (ms; in a cluster, the clock of the node holding the bucket).
   */
  private async read(
    names: ReturnType<typeof redisKeyNames>,
    members: Buffer[],
  ): Promise<{ stored: Stored[]; time: number }> {
    const r = await this.redis
      .multi()
      .hmgetBuffer(names.meta, ...members)
      .hmgetBuffer(names.hist, ...members)
      .hmgetBuffer(names.tomb, ...members)
      .smismember(names.verify, ...members)
      .time()
      .exec();
    if (r === null) throw new Error('the read of the batch was aborted');
    for (const [err] of r) if (err) throw err;
    const [meta, hist, tomb, verify, [sec, usec]] = r.map(([, v]) => v) as [
      Array<Buffer | null>,
      Array<Buffer | null>,
      Array<Buffer | null>,
      number[],
      [string, string],
    ];
    const stored = members.map((_, i) => ({
      meta: meta[i] ?? EMPTY,
      hist: hist[i] ?? EMPTY,
      tomb: tomb[i] ?? EMPTY,
      verify: verify[i] === 1,
    }));
    return { stored, time: Number(sec) * 1000 + Math.floor(Number(usec) / 1000) };
  }

  /** The listed keys (with payloads) of the page's window: enough for listRaw to make the page exactly. */
  private async window(bucket: string, w: ListWindow, maxKeys: number): Promise<Result<SortedSet | undefined>> {
    const names = redisKeyNames(bucket);
    const fromAfter = w.after !== undefined && Buffer.compare(w.after, w.prefix) >= 0;
    const lo = fromAfter ? Buffer.concat([Buffer.from('('), w.after!]) : Buffer.concat([Buffer.from('['), w.prefix]);
    const succ = w.prefix.length > 0 ? prefixSuccessor(w.prefix) : undefined;
    const hi = succ === undefined ? Buffer.from('+') : Buffer.concat([Buffer.from('('), succ]);
    const reply = await this.scripted.s3idxListBuffer(
      names.keys,
      names.meta,
      lo,
      hi,
      String(w.prefix.length),
      w.delimiter ?? EMPTY,
      String(maxKeys),
      w.after ?? EMPTY,
    );
    if (Number(reply[0]) === 0) {
      if (!(await this.bucketExists(bucket))) return fail('NoSuchBucket', 'The specified bucket does not exist');
      return { ok: true, value: undefined };
    }
    const z = new SortedSet(payloadSize, notPlainKey);
    for (let i = 1; i + 1 < reply.length; i += 2) {
      const member = reply[i] as Buffer;
      const payload = (reply[i + 1] as Buffer | null) ?? undefined;
      z.setWithPayload(member, 0, payload, payload === undefined ? 0 : payloadSize(payload, 0, payload.length));
    }
    return { ok: true, value: z };
  }

  async listObjectsV2(
    bucket: string,
    opts: ListOptions = {},
    limits: ListLimits = {},
    bounds?: PageBounds,
  ): Promise<Result<ListPage>> {
    const maxKeys = checkMaxKeys(opts, limits);
    if (!maxKeys.ok) return maxKeys;
    const w = listWindow(opts);
    if (!w.ok) return w;
    const z = await this.unavailableOnError(() => this.window(bucket, w.value, maxKeys.value));
    if (!z.ok) return z;
    return { ok: true, value: listPageOn(z.value, bucket, opts, w.value, maxKeys.value, bounds) };
  }

  async listRaw<T>(
    bucket: string,
    opts: RawListOptions,
    makeRow: RowMaker<T>,
    bounds?: PageBounds,
  ): Promise<Result<RawPage<T>>> {
    const maxKeys = checkRawMaxKeys(opts.maxKeys);
    if (!maxKeys.ok) return maxKeys;
    const w = listWindow(opts);
    if (!w.ok) return w;
    const z = await this.unavailableOnError(() => this.window(bucket, w.value, maxKeys.value));
    if (!z.ok) return z;
    return { ok: true, value: rawPageOn(z.value, w.value, maxKeys.value, makeRow, bounds) };
  }

  async head(bucket: string, key: string): Promise<Result<HeadResult | undefined>> {
    const names = redisKeyNames(bucket);
    const payload = await this.unavailableOnError(() => this.redis.hgetBuffer(names.meta, key));
    if (payload === null && !(await this.bucketExists(bucket)))
      return fail('NoSuchBucket', 'The specified bucket does not exist');
    return { ok: true, value: payload === null ? undefined : { key, ...readVersion(payload) } };
  }

  async version(bucket: string, key: string, versionId?: string): Promise<Result<HeadResult | undefined>> {
    const names = redisKeyNames(bucket);
    const { stored } = await this.unavailableOnError(() => this.read(names, [Buffer.from(key, 'utf8')]));
    const s = stateOf(stored[0]!);
    if (s.versions.length === 0 && !(await this.bucketExists(bucket)))
      return fail('NoSuchBucket', 'The specified bucket does not exist');
    return { ok: true, value: pickVersion(s, key, versionId) };
  }

  async stats(bucket: string, prefix = ''): Promise<Result<PrefixStats>> {
    const names = redisKeyNames(bucket);
    return this.unavailableOnError(async () => {
      if (!(await this.bucketExists(bucket))) return fail('NoSuchBucket', 'The specified bucket does not exist');
      if (prefix === '' || prefix.endsWith('/')) {
        const [n, b] = await Promise.all([this.redis.hget(names.dirn, prefix), this.redis.hget(names.dirb, prefix)]);
        return { ok: true, value: { objects: Number(n ?? 0), bytes: Number(b ?? 0) } };
      }
      const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      const reply = await this.scripted.s3idxPrefixStatsBuffer(
        names.keys,
        names.meta,
        names.dirn,
        names.dirb,
        Buffer.from(prefix, 'utf8'),
        String(Buffer.byteLength(folder)),
      );
      let objects = Number(reply[0]);
      let bytes = Number(String(reply[1]));
      for (let i = 2; i < reply.length; i++) {
        const p = reply[i] as Buffer | null;
        if (p === null) continue;
        objects++;
        bytes += payloadSize(p, 0, p.length);
      }
      return { ok: true, value: { objects, bytes } };
    });
  }

  async listBuckets(): Promise<string[]> {
    const all = await this.unavailableOnError(() => this.redis.smembers(BUCKETS_KEY));
    return all.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return (await this.unavailableOnError(() => this.redis.sismember(BUCKETS_KEY, bucket))) === 1;
  }

  onChange(listener: (change: IndexChange) => void): () => void {
    if (this.subscriber === undefined) this.subscribe();
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Up to `count` keys of `bucket` whose current version awaits verification (S3IDX.UNVERIFIED), in no order. */
  async unverified(bucket: string, count = Number.POSITIVE_INFINITY): Promise<string[]> {
    const names = redisKeyNames(bucket);
    const all = await this.unavailableOnError(() => this.redis.smembers(names.verify));
    return all.length > count ? all.slice(0, count) : all;
  }

  /** Forgets a bucket's index (S3IDX.DROP); whether there was one. */
  async dropBucket(bucket: string): Promise<boolean> {
    const n = redisKeyNames(bucket);
    const [dropped, unlisted] = await this.unavailableOnError(() =>
      Promise.all([
        this.redis.del(n.keys, n.meta, n.hist, n.tomb, n.verify, n.dirn, n.dirb, n.tombq),
        this.redis.srem(BUCKETS_KEY, bucket),
      ]),
    );
    this.report({ bucket, key: undefined });
    return dropped + unlisted > 0;
  }

  /** Forgets everything indexed: every bucket's keys and the registry (tests, `s3-index` maintenance). */
  async dropAll(): Promise<void> {
    for (const bucket of await this.listBuckets()) await this.dropBucket(bucket);
    this.report(EVERYTHING);
  }

  private subscriber: Client | undefined;

  /** Receives the changes APPLY publishes (ours included: a second report of them is harmless). */
  private subscribe(): void {
    const sub = (this.redis as Redis).duplicate() as Client;
    this.subscriber = sub;
    let connected = false;
    sub.on('error', () => undefined);
    // commands are not queued while disconnected (redis-client.ts): subscribe once ready; ioredis subscribes again
    // after a reconnection by itself
    sub.on('ready', () => {
      if (connected) this.report(EVERYTHING);
      else void sub.psubscribe('s3idx:{*}:changes').catch(() => undefined);
      connected = true;
    });
    sub.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      const name = channel.toString('utf8');
      const bucket = name.slice(name.indexOf('{') + 1, name.lastIndexOf('}'));
      for (let at = 0; at < message.length; ) {
        const colon = message.indexOf(58, at);
        if (colon < 0) break;
        const len = Number(message.toString('latin1', at, colon));
        const key = message.subarray(colon + 1, colon + 1 + len);
        at = colon + 1 + len;
        this.report({ bucket, key });
      }
    });
  }

  /** Closes the subscription's connection, if onChange opened one. */
  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private report(change: IndexChange): void {
    for (const fn of this.listeners) fn(change);
  }

  /** Runs a read; a failure of the server (down, timed out) becomes IndexUnavailable (HTTP 503). */
  private async unavailableOnError<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw new IndexUnavailable(`the Redis server did not answer: ${(err as Error).message}`, { cause: err });
    }
  }
}
