import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { bulk } from '../../reply';

export const echo: CommandSpec = {
  name: 'echo',
  arity: 2,
  flags: ['loading', 'fast'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Returns the given string.',
  since: '1.0.0',
  run: ({ argv }) => bulk(argv[1]!),
};
