/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the runtime parameters (runtime-config.ts). */
import { ADMIN_FLAGS, type CommandSpec, NO_KEYS } from '../../command';
import { array, bulkStr, error, map, OK, type Reply, simple } from '../../reply';
import { serverStateOf } from './server-state';
import { helpLines, subcommandOf } from './subcommands';

export const config: CommandSpec = {
  name: 'config',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  group: 'server',
  complexity: 'Depends on subcommand.',
  summary: 'A container for server configuration commands.',
  since: '2.0.0',
  subcommands: [
    {
      name: 'get',
      flags: ADMIN_FLAGS,
      arity: -3,
      summary: 'Returns the effective values of configuration parameters.',
    },
    {
      name: 'set',
      flags: ADMIN_FLAGS,
      arity: -4,
      summary: 'Sets configuration parameters in-flight.',
    },
    {
      name: 'resetstat',
      flags: ADMIN_FLAGS,
      arity: 2,
      summary: 'Resets the server statistics.',
    },
    {
      name: 'rewrite',
      flags: ADMIN_FLAGS,
      arity: 2,
      summary: 'Persists the effective configuration to file.',
    },
    {
      name: 'help',
      flags: ['loading', 'stale'],
      arity: 2,
      summary: 'Returns helpful text about the different subcommands.',
    },
  ],
  run({ engine, argv }) {
    const sub = subcommandOf(config, argv);
    if (typeof sub !== 'string') return sub;
    const state = serverStateOf(engine);
    switch (sub) {
      case 'get': {
        const seen = new Set<string>();
        const pairs: Array<[Reply, Reply]> = [];
        for (const pattern of argv.slice(2)) {
          for (const [k, v] of state.config.match(pattern)) {
            if (seen.has(k)) continue;
            seen.add(k);
            pairs.push([bulkStr(k), bulkStr(v)]);
          }
        }
        return map(pairs);
      }
      case 'set': {
        if ((argv.length - 2) % 2 !== 0) return error("ERR wrong number of arguments for 'config|set' command");
        // Validate everything first so that a failing pair leaves the configuration unchanged, like Redis.
        const before = new Map<string, string>();
        for (let i = 2; i < argv.length; i += 2) {
          const name = argv[i]!.toString('latin1').toLowerCase();
          if (!before.has(name)) before.set(name, state.config.get(name));
          const err = state.config.set(name, argv[i + 1]!.toString('utf8'));
          if (err !== undefined) {
            for (const [k, v] of before) if (v !== state.config.get(k)) state.config.set(k, v);
            return error(err);
          }
        }
        return OK;
      }
      case 'resetstat':
        engine.stats.commandsProcessed = 0;
        engine.stats.keyspaceHits = 0;
        engine.stats.keyspaceMisses = 0;
        engine.resetCallStats();
        state.net.connectionsReceived = 0;
        state.net.rejectedConnections = 0;
        state.net.netInputBytes = 0;
        state.net.netOutputBytes = 0;
        return OK;
      case 'rewrite':
        return error('ERR The server is running without a config file');
      default:
        return array(helpLines(config).map((l) => simple(l)));
    }
  },
};
