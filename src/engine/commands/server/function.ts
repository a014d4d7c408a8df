/**
 * FUNCTION: this server runs no functions (no Lua), and answers the subcommands test suites and client libraries
 * send before anything else as a Redis without any library would: FUNCTION LIST an empty list, FUNCTION FLUSH OK.
 * Loading one (FUNCTION LOAD, RESTORE) is refused with a clear error.
 */
import { type CommandSpec, NO_KEYS } from '../../command';
import { array, bulkStr, EMPTY_ARRAY, error, map, OK, type Reply, simple } from '../../reply';
import { isOpt } from '../arguments';
import { helpLines, subcommandOf } from './subcommands';

export const functionCommand: CommandSpec = {
  name: 'function',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  group: 'server',
  complexity: 'Depends on subcommand.',
  summary: 'A container for function commands.',
  since: '7.0.0',
  subcommands: [
    {
      name: 'list',
      flags: ['noscript'],
      arity: -2,
      summary: 'Returns information about all libraries.',
      acl: ['scripting'],
    },
    {
      name: 'flush',
      flags: ['write', 'noscript'],
      arity: -2,
      summary: 'Deletes all libraries and functions.',
      acl: ['scripting'],
    },
    {
      name: 'stats',
      flags: ['noscript', 'allow_busy'],
      arity: 2,
      summary: 'Returns information about a function during execution.',
      acl: ['scripting'],
    },
    {
      name: 'load',
      flags: ['write', 'denyoom', 'noscript'],
      arity: -3,
      summary: 'Creates a library.',
      acl: ['scripting'],
    },
    {
      name: 'help',
      flags: ['loading', 'stale'],
      arity: 2,
      summary: 'Returns helpful text about the different subcommands.',
      acl: ['scripting'],
    },
  ],
  run({ argv }): Reply {
    const sub = subcommandOf(functionCommand, argv);
    if (typeof sub !== 'string') return sub;
    switch (sub) {
      case 'list': {
        for (let i = 2; i < argv.length; i++) {
          if (isOpt(argv[i], 'WITHCODE')) continue;
          if (isOpt(argv[i], 'LIBRARYNAME') && i + 1 < argv.length) {
            i++;
            continue;
          }
          return error(`ERR Unknown argument ${argv[i]!.toString('utf8')}`);
        }
        return EMPTY_ARRAY;
      }
      case 'flush': {
        if (argv.length > 3 || (argv.length === 3 && !isOpt(argv[2], 'ASYNC') && !isOpt(argv[2], 'SYNC')))
          return error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
        return OK;
      }
      case 'stats':
        return map([
          [bulkStr('running_script'), { t: 'null' }],
          [bulkStr('engines'), map([])],
        ]);
      case 'load':
        return error('ERR this server does not run functions (no Lua engine)');
      default:
        return array(helpLines(functionCommand).map(simple));
    }
  },
};
