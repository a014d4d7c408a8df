/** The set commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { sadd } from './sadd';
import { scard } from './scard';
import { sdiff } from './sdiff';
import { sdiffstore } from './sdiffstore';
import { sinter } from './sinter';
import { sintercard } from './sintercard';
import { sinterstore } from './sinterstore';
import { sismember } from './sismember';
import { smembers } from './smembers';
import { smismember } from './smismember';
import { smove } from './smove';
import { spop } from './spop';
import { srandmember } from './srandmember';
import { srem } from './srem';
import { sscan } from './sscan';
import { sunion } from './sunion';
import { sunionstore } from './sunionstore';

export const SET_COMMANDS: readonly CommandSpec[] = [
  sadd,
  srem,
  smembers,
  sismember,
  smismember,
  scard,
  spop,
  srandmember,
  smove,
  sinter,
  sintercard,
  sinterstore,
  sunion,
  sunionstore,
  sdiff,
  sdiffstore,
  sscan,
];
