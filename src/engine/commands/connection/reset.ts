import { type CommandSpec, NO_KEYS } from '../../command';
import { simple } from '../../reply';

export const RESET_REPLY = simple('RESET');

/**
 * RESET: the connection layer discards MULTI, unwatches, unsubscribes, deauthenticates and returns to RESP2 and
 * db 0. Without a connection only the session's state is reset.
 */
export const reset: CommandSpec = {
  name: 'reset',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy', 'connection'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Resets the connection.',
  since: '6.2.0',
  run({ session }) {
    session.db = 0;
    session.resp = 2;
    session.name = undefined;
    return RESET_REPLY;
  },
};
