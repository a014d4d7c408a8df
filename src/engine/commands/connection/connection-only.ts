/** Specs for commands the RESP connection layer implements; without a connection `run` answers with an error. */
import { type CommandFlag, type CommandGroup, type CommandSpec, NO_KEYS } from '../../command';
import { error } from '../../reply';

export function connectionOnly(
  name: string,
  arity: number,
  flags: CommandFlag[],
  summary: string,
  since: string,
  complexity = 'O(1)',
  keys = NO_KEYS,
  group: CommandGroup = 'transactions',
): CommandSpec {
  return {
    name,
    arity,
    flags: [...flags, 'connection'],
    keys,
    group,
    complexity,
    summary,
    since,
    run: () => error(`ERR ${name.toUpperCase()} is only available on a RESP connection`),
  };
}
