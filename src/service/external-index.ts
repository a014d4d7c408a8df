/**
 * The object index and the cache in an external Redis (`serve --redis-url`, S3_INDEX_REDIS_URL in the Lambda
 * functions): one client, the RedisIndex kept in that server, and the /redis front (RemoteRedis) that runs both the
 * server's commands and the S3IDX.* ones.
 */
import type { Cluster, Redis } from 'ioredis';
import { connectRedisReady, type RedisTarget } from './redis-client';
import { RedisIndex } from './redis-index';
import { RemoteRedis } from './remote-redis';

export interface ExternalIndex {
  client: Redis | Cluster;
  index: RedisIndex;
  remote: RemoteRedis;
  close(): void;
}

/** Connects (RedisUnreachable when the server does not answer within 10 s). */
export async function openExternalIndex(target: RedisTarget): Promise<ExternalIndex> {
  const client = await connectRedisReady(target);
  const index = new RedisIndex(client);
  return {
    client,
    index,
    remote: new RemoteRedis(client, index),
    close() {
      index.close();
      client.disconnect();
    },
  };
}
