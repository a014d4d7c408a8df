/**
 * /redis on an external Redis (`serve --redis-url`): the cache commands go to that server, and the S3IDX.* commands
 * (which it does not have) are answered by the RedisIndex kept in it, so the CLI's backfill and reconcile, which talk
 * S3IDX.* and TIME over /redis, work on either backend unchanged.
 *
 * The REST front end (src/http/redis-rest.ts) keeps its checks (token levels from the command table, commands that
 * need a connection refused, arity), then hands the commands here:
 *   - one by one or a pipeline: the commands are written in order on the client's connection(s) and not awaited one
 *     by one; an S3IDX.* command waits for those before it, and those after it wait for it;
 *   - multi-exec: MULTI/EXEC on the server (in a cluster, Redis's CROSSSLOT error unless the keys share a slot).
 * An error reply of the server is the command's reply; a server that cannot be reached (down, timed out) rejects with
 * IndexUnavailable (HTTP 503), as the index does.
 */
import { type Cluster, type Redis, ReplyError } from 'ioredis';
import { isReply } from '../engine/commands/arguments';
import { wrongArity } from '../engine/errors';
import { array, bulk, error, int, NULL, type Reply, simple } from '../engine/reply';
import { outcomeCountsReply, parseBackfill } from '../index/commands/backfill';
import { listPageReply, parseListArgs } from '../index/commands/list';
import { indexErrorReply, objectReply, stringsReply } from '../index/commands/replies';
import { statsReply } from '../index/commands/stats';
import { parseUnverified, parseVerified } from '../index/commands/verified';
import { JSON_MAX_KEYS } from '../index/list';
import { ingestReply } from './commands/ingest';
import { IndexUnavailable } from './object-index';
import type { RedisIndex } from './redis-index';

type Client = Redis | Cluster;

/** A reply of ioredis (Buffer mode) as the engine's Reply, for the REST renderer. */
export function replyOf(v: unknown): Reply {
  if (v === null || v === undefined) return NULL;
  if (Buffer.isBuffer(v)) return bulk(v);
  if (typeof v === 'number') return int(v);
  if (typeof v === 'string') return simple(v);
  if (Array.isArray(v)) return array(v.map(replyOf));
  if (v instanceof Error) return error(v.message);
  return simple(String(v));
}

const isIndexCommand = (argv: readonly Buffer[]): boolean =>
  argv[0]!.length > 6 && argv[0]!.toString('latin1', 0, 6).toLowerCase() === 's3idx.';

export class RemoteRedis {
  constructor(
    private readonly redis: Client,
    private readonly index: RedisIndex,
  ) {}

  /**
   * Runs `cmds` in order (atomically with `atomic`: MULTI/EXEC; no S3IDX.* command then), one reply each. Rejects
   * with IndexUnavailable when the server cannot be reached.
   */
  async run(cmds: readonly Buffer[][], atomic: boolean): Promise<Reply[]> {
    try {
      if (atomic) return await this.transaction(cmds);
      const replies: Array<Promise<Reply>> = [];
      let before: Promise<unknown> = Promise.resolve();
      for (const argv of cmds) {
        if (isIndexCommand(argv)) {
          // after every command before it, and before any after it
          const prior = Promise.all(replies);
          const r = prior.then(() => this.indexCommand(argv));
          replies.push(r);
          before = r;
        } else {
          const r = before.then(() => this.call(argv));
          replies.push(r);
        }
      }
      return await Promise.all(replies);
    } catch (err) {
      if (err instanceof IndexUnavailable) throw err;
      throw new IndexUnavailable(`the Redis server did not answer: ${(err as Error).message}`, { cause: err });
    }
  }

  private call(argv: readonly Buffer[]): Promise<Reply> {
    return this.redis.callBuffer(argv[0]!.toString('latin1'), ...argv.slice(1)).then(replyOf, (err: unknown) => {
      if (err instanceof ReplyError) return error((err as Error).message);
      throw err;
    });
  }

  private async transaction(cmds: readonly Buffer[][]): Promise<Reply[]> {
    const multi = this.redis.multi();
    for (const argv of cmds) multi.callBuffer(argv[0]!.toString('latin1'), ...argv.slice(1));
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await multi.exec();
    } catch (err) {
      // EXECABORT (a command the server refused while queueing) or CROSSSLOT: Redis's own error, for every command
      if (err instanceof ReplyError) return cmds.map(() => error((err as Error).message));
      throw err;
    }
    if (results === null) return cmds.map(() => error('EXECABORT Transaction discarded because of previous errors.'));
    return results.map(([err, v]) => (err ? error(err.message) : replyOf(v)));
  }

  /** An S3IDX.* command, on the index kept in the server (argument checks and replies as the bundled engine's). */
  private async indexCommand(argv: Buffer[]): Promise<Reply> {
    const name = argv[0]!.toString('latin1').toLowerCase();
    const bucket = argv[1]?.toString('utf8') ?? '';
    const index = this.index;
    switch (name) {
      case 's3idx.list': {
        const opts = parseListArgs(argv);
        if (isReply(opts)) return opts;
        const r = await index.listObjectsV2(bucket, opts, { maxKeysCap: JSON_MAX_KEYS });
        return r.ok ? listPageReply(r.value) : indexErrorReply(r.error);
      }
      case 's3idx.head': {
        const key = argv[2]!.toString('utf8');
        const r = await index.head(bucket, key);
        if (!r.ok) return indexErrorReply(r.error);
        return r.value === undefined ? NULL : objectReply(key, r.value);
      }
      case 's3idx.stats': {
        if (argv.length > 3) return wrongArity('s3idx.stats');
        const r = await index.stats(bucket, argv[2]?.toString('utf8') ?? '');
        return r.ok ? statsReply(r.value) : indexErrorReply(r.error);
      }
      case 's3idx.buckets':
        return stringsReply(await index.listBuckets());
      case 's3idx.drop':
        return int((await index.dropBucket(bucket)) ? 1 : 0);
      case 's3idx.backfill':
      case 's3idx.verified': {
        const parsed = name === 's3idx.backfill' ? parseBackfill(argv) : parseVerified(argv);
        return isReply(parsed) ? parsed : outcomeCountsReply(await index.apply(parsed.ops));
      }
      case 's3idx.unverified': {
        const parsed = parseUnverified(argv);
        return isReply(parsed) ? parsed : stringsReply(await index.unverified(parsed.bucket, parsed.count));
      }
      case 's3idx.ingest':
        return ingestReply(await index.ingest(argv[1]!.toString('utf8')));
      default:
        return error(`ERR unknown command '${argv[0]!.toString('utf8')}', with args beginning with: `);
    }
  }
}
