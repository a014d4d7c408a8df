/** The server commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { command } from './command';
import { config } from './config';
import { debug } from './debug';
import { functionCommand } from './function';
import { info } from './info';
import { memory } from './memory';
import { publish, spublish } from './publish';
import { pubsub } from './pubsub';
import { bgsave, lastsave, save } from './save';
import { time } from './time';

export const SERVER_COMMANDS: readonly CommandSpec[] = [
  info,
  command,
  config,
  time,
  publish,
  spublish,
  pubsub,
  save,
  bgsave,
  lastsave,
  debug,
  functionCommand,
  memory,
];
