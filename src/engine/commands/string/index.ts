/** The string commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { append } from './append';
import { decr } from './decr';
import { decrby } from './decrby';
import { get } from './get';
import { getdel } from './getdel';
import { getex } from './getex';
import { getrange } from './getrange';
import { getset } from './getset';
import { incr } from './incr';
import { incrby } from './incrby';
import { incrbyfloat } from './incrbyfloat';
import { mget } from './mget';
import { mset } from './mset';
import { msetnx } from './msetnx';
import { psetex } from './psetex';
import { set } from './set';
import { setex } from './setex';
import { setnx } from './setnx';
import { setrange } from './setrange';
import { strlen } from './strlen';
import { substr } from './substr';

export const STRING_COMMANDS: readonly CommandSpec[] = [
  get,
  set,
  setnx,
  setex,
  psetex,
  getset,
  getdel,
  getex,
  mget,
  mset,
  msetnx,
  incr,
  incrby,
  decr,
  decrby,
  incrbyfloat,
  append,
  strlen,
  getrange,
  setrange,
  substr,
];
