/** The explicit registry of every built-in command, by group. */
import type { CommandSpec } from '../command';
import { CONNECTION_COMMANDS } from './connection/index';
import { GEO_COMMANDS } from './geo/index';
import { HASH_COMMANDS } from './hash/index';
import { KEYS_COMMANDS } from './keys/index';
import { LIST_COMMANDS } from './list/index';
import { SERVER_COMMANDS } from './server/index';
import { SET_COMMANDS } from './set/index';
import { STRING_COMMANDS } from './string/index';
import { ZSET_COMMANDS } from './zset/index';

export const COMMANDS: readonly CommandSpec[] = [
  ...CONNECTION_COMMANDS,
  ...SERVER_COMMANDS,
  ...KEYS_COMMANDS,
  ...STRING_COMMANDS,
  ...HASH_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...GEO_COMMANDS,
];
