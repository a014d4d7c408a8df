/**
 * The connection to an external Redis, Valkey or ElastiCache server for `--redis-url` (RedisIndex): ioredis, which
 * reconnects by itself. A command sent while the server is unreachable fails at once instead of waiting in a queue
 * (the HTTP layer answers 503, an ingest batch is not acknowledged and its queue redelivers it), and one that gets no
 * answer in `commandTimeoutMs` fails too. URL forms: config.ts (parseRedisUrl).
 */
import { Cluster, Redis } from 'ioredis';

/** Where to connect (config.ts parses --redis-url into it). */
export interface RedisTarget {
  cluster: boolean;
  tls: boolean;
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  db: number;
}

export function connectRedis(t: RedisTarget, opts: { commandTimeoutMs?: number } = {}): Redis | Cluster {
  const common = {
    username: t.username,
    password: t.password,
    tls: t.tls ? {} : undefined,
    connectTimeout: 5000,
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    // fail at once while disconnected (503, batch not acknowledged) rather than queue behind a dead link
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(2000, 50 * 2 ** attempt),
  };
  if (t.cluster)
    return new Cluster(t.nodes, {
      redisOptions: common,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt: number) => Math.min(2000, 50 * 2 ** attempt),
    });
  return new Redis({ ...common, host: t.nodes[0]!.host, port: t.nodes[0]!.port, db: t.db });
}

/** The server did not become ready in time (unreachable, refused, wrong password). */
export class RedisUnreachable extends Error {}

/** `connectRedis`, once the server answers: within `readyTimeoutMs` (default 10 s), else RedisUnreachable. */
export async function connectRedisReady(
  t: RedisTarget,
  opts: { commandTimeoutMs?: number; readyTimeoutMs?: number } = {},
): Promise<Redis | Cluster> {
  const client = connectRedis(t, opts);
  const ms = opts.readyTimeoutMs ?? 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  } catch (err) {
    client.disconnect();
    throw new RedisUnreachable((err as Error).message, { cause: err });
  }
  // later errors: ioredis reconnects by itself; requests meanwhile fail (503, batch not acknowledged)
  client.on('error', () => undefined);
  return client;
}
