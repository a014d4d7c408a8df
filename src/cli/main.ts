/** `s3-index` command line. Subcommands are added by each capability (serve, the client commands, …). */
import { CLIENT_COMMANDS, CLIENT_USAGE, type ClientCommand, GLOBAL_OPTIONS, processIo, runClient } from './client';
import { dev } from './dev';
import { serve } from './serve';
import { snapshotCommand } from './snapshot';

const USAGE = `usage: s3-index [--url URL] [--token TOKEN] <command> [options]

commands:
  serve     run the RESP and HTTP servers on the embedded engine
  dev       serve, kept in .s3-index/, plus a local S3 on :4569 whose changes are indexed (npm start)
  snapshot  inspect|verify PATH: what a data directory or snapshot file holds; check every checksum
  export    --format rdb FILE --data-dir DIR|--store s3://…: the whole dataset as an RDB file for redis-server
  import    FILE.rdb --data-dir DIR|--store s3://… [--replace]: add the keys of a redis-server RDB file
  replay    --since T [--until T]: replay the archived S3 events to the ingest rule (AWS; replay --help)
  help      print this message
${CLIENT_USAGE}`;

function usageError(message: string): number {
  process.stderr.write(`s3-index: ${message}\n${USAGE}`);
  return 2;
}

/**
 * `s3-index [global options] <command> [args]`. The global options are the client commands' own (client.ts): before
 * the command they are handed to it ahead of its arguments, so one given after the command wins, as in git and the
 * AWS CLI.
 */
export async function main(argv: string[]): Promise<number> {
  const globals: string[] = [];
  let help = false;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    // the name only in messages: what follows '=' may be a token
    const name = eq > 0 ? a.slice(0, eq) : a;
    const option = GLOBAL_OPTIONS.get(name);
    if (option === undefined) {
      return usageError(`unknown option '${name}' before the command (global options: --url, --token, --help)`);
    }
    if (name === '--help' || name === '-h') {
      if (eq > 0) return usageError(`${name} takes no value`);
      help = true;
      continue;
    }
    globals.push(a);
    if (option.takesValue && eq < 0) {
      const value = argv[i + 1];
      if (value === undefined) return usageError(`${name} needs a value`);
      globals.push(value);
      i++;
    }
  }
  const cmd = argv[i];
  const rest = argv.slice(i + 1);
  if (cmd === undefined || cmd === 'help') {
    if (argv.length === 0) {
      process.stdout.write(USAGE);
      return 1;
    }
    if (!help && cmd === undefined) return usageError('no command given');
    process.stdout.write(USAGE);
    return 0;
  }
  if (cmd === 'serve') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    return serve(help ? ['--help'] : rest);
  }
  if (cmd === 'dev') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    return dev(help ? ['--help'] : rest);
  }
  if (cmd === 'snapshot') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    return snapshotCommand(help ? ['--help'] : rest, {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
    });
  }
  if (cmd === 'export') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    return (await import('./export')).exportCommand(help ? ['--help'] : rest, {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
    });
  }
  if (cmd === 'import') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    return (await import('./import')).importCommand(help ? ['--help'] : rest, {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
    });
  }
  if (cmd === 'replay') {
    if (globals.length > 0) return usageError(`${globals[0]!.split('=')[0]} is an option of the client commands`);
    // loaded on use: the EventBridge client costs the other commands nothing
    return (await import('./replay')).replayMain(help ? ['--help'] : rest);
  }
  if ((CLIENT_COMMANDS as readonly string[]).includes(cmd)) {
    return runClient(cmd as ClientCommand, [...globals, ...(help ? ['--help'] : []), ...rest], processIo);
  }
  return usageError(`unknown command '${cmd}'`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`s3-index: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
