/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH. Transactions are per connection, so the RESP connection layer
 * implements them (src/server/connection-commands.ts); these specs give them their table entries (COMMAND, arity) and
 * answer front ends without connections, which run each request on its own.
 */
import type { CommandSpec } from '../../command';
import { error, OK } from '../../reply';
import { connectionOnly } from './connection-only';

export const MULTI_NESTED = error('ERR MULTI calls can not be nested');
export const EXEC_WITHOUT_MULTI = error('ERR EXEC without MULTI');
export const DISCARD_WITHOUT_MULTI = error('ERR DISCARD without MULTI');
export const WATCH_IN_MULTI = error('ERR WATCH inside MULTI is not allowed');
export const EXECABORT = error('EXECABORT Transaction discarded because of previous errors.');

export const multi = connectionOnly(
  'multi',
  1,
  ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  'Starts a transaction.',
  '1.2.0',
);
export const exec = connectionOnly(
  'exec',
  1,
  ['noscript', 'loading', 'stale', 'skip_monitor'],
  'Executes all commands in a transaction.',
  '1.2.0',
  'Depends on commands in the transaction',
);
export const discard = connectionOnly(
  'discard',
  1,
  ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  'Discards a transaction.',
  '2.0.0',
  'O(N), when N is the number of queued commands',
);
export const watch: CommandSpec = {
  ...connectionOnly(
    'watch',
    -2,
    ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    'Monitors changes to keys to determine the execution of a transaction.',
    '2.2.0',
    'O(1) for every key.',
    { first: 1, last: -1, step: 1 },
  ),
  // Without a connection nothing can be watched across requests; WATCH is accepted and has no effect.
  run: () => OK,
};
export const unwatch: CommandSpec = {
  ...connectionOnly(
    'unwatch',
    1,
    ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    'Forgets about watched keys of a transaction.',
    '2.2.0',
  ),
  run: () => OK,
};
