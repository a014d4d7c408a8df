/** Subcommand lookup and arity checks for container commands (CONFIG GET, CLIENT ID, COMMAND INFO, …). */
import type { CommandSpec } from '../../command';
import { unknownSubcommand } from '../../errors';
import { error, type Reply } from '../../reply';

/**
 * The lower-case subcommand named by argv[1], or Redis's error: unknown subcommand, or wrong number of arguments
 * for 'cmd|sub'.
 */
export function subcommandOf(spec: CommandSpec, argv: Buffer[]): string | Reply {
  const name = argv[1]!.toString('latin1').toLowerCase();
  const sub = spec.subcommands?.find((s) => s.name === name);
  if (!sub) return unknownSubcommand(argv[1]!, spec.name);
  if ((sub.arity > 0 && argv.length !== sub.arity) || argv.length < -sub.arity) {
    return error(`ERR wrong number of arguments for '${spec.name}|${name}' command`);
  }
  return name;
}

/** The HELP reply of a container command: the usage line, then one line per subcommand. */
export function helpLines(spec: CommandSpec): string[] {
  const lines = [`${spec.name.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`];
  for (const s of spec.subcommands ?? []) lines.push(s.name.toUpperCase(), `    ${s.summary}`);
  return lines;
}
