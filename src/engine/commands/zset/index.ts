/** The zset commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { bzmpop, bzpopmax, bzpopmin } from './blocking';
import { zadd } from './zadd';
import { zcard } from './zcard';
import { zcount } from './zcount';
import { zdiff } from './zdiff';
import { zdiffstore } from './zdiffstore';
import { zincrby } from './zincrby';
import { zinter } from './zinter';
import { zintercard } from './zintercard';
import { zinterstore } from './zinterstore';
import { zlexcount } from './zlexcount';
import { zmpop } from './zmpop';
import { zmscore } from './zmscore';
import { zpopmax } from './zpopmax';
import { zpopmin } from './zpopmin';
import { zrandmember } from './zrandmember';
import { zrange } from './zrange';
import { zrangebylex } from './zrangebylex';
import { zrangebyscore } from './zrangebyscore';
import { zrangestore } from './zrangestore';
import { zrank } from './zrank';
import { zrem } from './zrem';
import { zremrangebylex } from './zremrangebylex';
import { zremrangebyrank } from './zremrangebyrank';
import { zremrangebyscore } from './zremrangebyscore';
import { zrevrange } from './zrevrange';
import { zrevrangebylex } from './zrevrangebylex';
import { zrevrangebyscore } from './zrevrangebyscore';
import { zrevrank } from './zrevrank';
import { zscan } from './zscan';
import { zscore } from './zscore';
import { zunion } from './zunion';
import { zunionstore } from './zunionstore';

export const ZSET_COMMANDS: readonly CommandSpec[] = [
  zadd,
  zincrby,
  zrem,
  zscore,
  zmscore,
  zcard,
  zcount,
  zlexcount,
  zrange,
  zrangestore,
  zrangebyscore,
  zrevrangebyscore,
  zrevrange,
  zrangebylex,
  zrevrangebylex,
  zrank,
  zrevrank,
  zpopmin,
  zpopmax,
  zmpop,
  bzpopmin,
  bzpopmax,
  bzmpop,
  zremrangebyrank,
  zremrangebyscore,
  zremrangebylex,
  zrandmember,
  zscan,
  zunion,
  zinter,
  zdiff,
  zunionstore,
  zinterstore,
  zdiffstore,
  zintercard,
];
