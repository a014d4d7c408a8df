/** The connection commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { auth } from './auth';
import { client } from './client';
import { echo } from './echo';
import { hello } from './hello';
import { monitor } from './monitor';
import { ping } from './ping';
import { quit } from './quit';
import { reset } from './reset';
import { select } from './select';
import { psubscribe, punsubscribe, ssubscribe, subscribe, sunsubscribe, unsubscribe } from './subscriptions';
import { discard, exec, multi, unwatch, watch } from './transactions';

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  ping,
  echo,
  hello,
  auth,
  client,
  select,
  quit,
  reset,
  multi,
  exec,
  discard,
  watch,
  unwatch,
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  ssubscribe,
  sunsubscribe,
  monitor,
];
