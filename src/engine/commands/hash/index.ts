/** The hash commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { hdel } from './hdel';
import { hexists } from './hexists';
import { hget } from './hget';
import { hgetall } from './hgetall';
import { hincrby } from './hincrby';
import { hincrbyfloat } from './hincrbyfloat';
import { hkeys } from './hkeys';
import { hlen } from './hlen';
import { hmget } from './hmget';
import { hmset } from './hmset';
import { hrandfield } from './hrandfield';
import { hscan } from './hscan';
import { hset } from './hset';
import { hsetnx } from './hsetnx';
import { hstrlen } from './hstrlen';
import { hvals } from './hvals';

export const HASH_COMMANDS: readonly CommandSpec[] = [
  hset,
  hsetnx,
  hget,
  hmget,
  hmset,
  hgetall,
  hdel,
  hexists,
  hlen,
  hkeys,
  hvals,
  hincrby,
  hincrbyfloat,
  hstrlen,
  hscan,
  hrandfield,
];
