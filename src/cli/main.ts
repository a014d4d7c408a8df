/** `s3-index` command line. Subcommands are added by each capability (serve, the client commands, …). */
import { CLIENT_COMMANDS, CLIENT_USAGE, type ClientCommand, processIo, runClient } from './client';
import { serve } from './serve';

const USAGE = `usage: s3-index <command> [options]

commands:
  serve     run the RESP and HTTP servers on the embedded engine
  help      print this message
${CLIENT_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 1 : 0;
    case 'serve':
      return serve(argv.slice(1));
    default:
      if ((CLIENT_COMMANDS as readonly string[]).includes(cmd)) {
        return runClient(cmd as ClientCommand, argv.slice(1), processIo);
      }
      process.stderr.write(`s3-index: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
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
