/** AUTH [username] password. The connection layer records the result; `run` only verifies the credentials. */
import { type CommandSpec, NO_KEYS } from '../../command';
import type { Engine } from '../../engine';
import { SYNTAX } from '../../errors';
import { error, OK, type Reply } from '../../reply';
import { serverStateOf } from '../server/server-state';

export const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.');
export const AUTH_NOT_CONFIGURED = error(
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
);

/** Verifies AUTH's arguments: OK, or Redis's error. */
export function checkAuth(engine: Engine, argv: Buffer[]): Reply {
  if (argv.length > 3) return SYNTAX;
  const state = serverStateOf(engine);
  if (argv.length === 2) {
    if (!state.authRequired) return AUTH_NOT_CONFIGURED;
    return state.checkPassword('default', argv[1]!) ? OK : WRONGPASS;
  }
  return state.checkPassword(argv[1]!.toString('utf8'), argv[2]!) ? OK : WRONGPASS;
}

export const auth: CommandSpec = {
  name: 'auth',
  arity: -2,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy', 'connection'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(N) where N is the number of passwords defined for the user',
  summary: 'Authenticates the connection.',
  since: '1.0.0',
  run: ({ engine, argv }) => checkAuth(engine, argv),
};
