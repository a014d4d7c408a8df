/** The list commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { blmove, blmpop, blpop, brpop, brpoplpush } from './blocking';
import { lindex } from './lindex';
import { linsert } from './linsert';
import { llen } from './llen';
import { lmove } from './lmove';
import { lmpop } from './lmpop';
import { lpop } from './lpop';
import { lpos } from './lpos';
import { lpush } from './lpush';
import { lpushx } from './lpushx';
import { lrange } from './lrange';
import { lrem } from './lrem';
import { lset } from './lset';
import { ltrim } from './ltrim';
import { rpop } from './rpop';
import { rpoplpush } from './rpoplpush';
import { rpush } from './rpush';
import { rpushx } from './rpushx';

export const LIST_COMMANDS: readonly CommandSpec[] = [
  lpush,
  rpush,
  lpushx,
  rpushx,
  lpop,
  rpop,
  llen,
  lrange,
  lindex,
  lset,
  linsert,
  lrem,
  ltrim,
  lpos,
  lmove,
  rpoplpush,
  lmpop,
  blpop,
  brpop,
  blmove,
  brpoplpush,
  blmpop,
];
