import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { wrongArity } from '../../errors';
import { bulk, simple } from '../../reply';

const PONG = simple('PONG');

export const ping: CommandSpec = {
  name: 'ping',
  arity: -1,
  flags: ['fast'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Returns PONG, or the given message.',
  since: '1.0.0',
  run({ argv }) {
    if (argv.length > 2) return wrongArity('ping');
    return argv.length === 2 ? bulk(argv[1]!) : PONG;
  },
};
