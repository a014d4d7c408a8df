/** The keys commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { copy } from './copy';
import { dbsize } from './dbsize';
import { del } from './del';
import { dump } from './dump';
import { exists } from './exists';
import { expire } from './expire';
import { expireat } from './expireat';
import { expiretime } from './expiretime';
import { flushall } from './flushall';
import { flushdb } from './flushdb';
import { keys } from './keys';
import { object } from './object';
import { persist } from './persist';
import { pexpire } from './pexpire';
import { pexpireat } from './pexpireat';
import { pexpiretime } from './pexpiretime';
import { pttl } from './pttl';
import { randomkey } from './randomkey';
import { rename } from './rename';
import { renamenx } from './renamenx';
import { restore } from './restore';
import { scan } from './scan';
import { swapdb } from './swapdb';
import { touch } from './touch';
import { ttl } from './ttl';
import { type } from './type';
import { unlink } from './unlink';

export const KEYS_COMMANDS: readonly CommandSpec[] = [
  del,
  unlink,
  exists,
  type,
  expire,
  pexpire,
  expireat,
  pexpireat,
  ttl,
  pttl,
  expiretime,
  pexpiretime,
  persist,
  keys,
  scan,
  rename,
  renamenx,
  randomkey,
  dbsize,
  flushdb,
  flushall,
  dump,
  restore,
  swapdb,
  touch,
  copy,
  object,
];
