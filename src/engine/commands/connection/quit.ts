import { type CommandSpec, NO_KEYS } from '../../command';
import { OK } from '../../reply';

/** QUIT: the connection layer replies OK and closes the connection once the reply is written. */
export const quit: CommandSpec = {
  name: 'quit',
  arity: -1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy', 'connection'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Closes the connection.',
  since: '1.0.0',
  run: () => OK,
};
