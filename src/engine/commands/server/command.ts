/**
 * COMMAND [COUNT | INFO name... | DOCS name... | LIST [FILTERBY ...] | GETKEYS cmd args...], generated from
 * the engine's command table so that it can never disagree with what the server runs.
 * Reply shapes follow Redis 7.0 (COMMAND INFO: name, arity, flags, first key, last key, step, ACL categories,
 * tips, key specs, subcommands).
 */
import { aclCategories } from '../../acl';
import { type CommandFlag, type CommandSpec, commandKeys, NO_KEYS } from '../../command';
import type { Engine } from '../../engine';
import { globMatch } from '../../glob';
import { array, bulk, bulkStr, error, int, map, NULL, type Reply, set, simple } from '../../reply';
import { isOpt } from '../arguments';
import { helpLines, subcommandOf } from './subcommands';

const categoryReplies = (cats: readonly string[]): Reply => set(cats.map((c) => simple(`@${c}`)));

/** Redis's flag names on the wire (our table uses the same words, minus the connection-layer marker). */
function wireFlags(flags: readonly CommandFlag[]): Reply {
  return set(flags.filter((f) => f !== 'connection').map((f) => simple(f)));
}

function keySpecs(spec: CommandSpec): Reply {
  const { first, last, step } = spec.keys;
  if (first === 0) return array([]);
  const write = spec.flags.includes('write');
  return array([
    map([
      [bulkStr('flags'), set([simple(write ? 'RW' : 'RO'), simple(write ? 'update' : 'access')])],
      [
        bulkStr('begin_search'),
        map([
          [bulkStr('type'), bulkStr('index')],
          [bulkStr('spec'), map([[bulkStr('index'), int(first)]])],
        ]),
      ],
      [
        bulkStr('find_keys'),
        map([
          [bulkStr('type'), bulkStr('range')],
          [
            bulkStr('spec'),
            map([
              [bulkStr('lastkey'), int(last < 0 ? last : last - first)],
              [bulkStr('keystep'), int(step)],
              [bulkStr('limit'), int(0)],
            ]),
          ],
        ]),
      ],
    ]),
  ]);
}

function commandInfo(spec: CommandSpec): Reply {
  const { first, last, step } = spec.keys;
  const subs = (spec.subcommands ?? []).map((s) =>
    array([
      bulkStr(`${spec.name}|${s.name}`),
      int(s.arity),
      wireFlags(s.flags ?? spec.flags),
      int(0),
      int(0),
      int(0),
      categoryReplies(aclCategories(spec, s)),
      array([]),
      array([]),
      array([]),
    ]),
  );
  return array([
    bulkStr(spec.name),
    int(spec.arity),
    wireFlags(spec.flags),
    int(first),
    int(last),
    int(step),
    categoryReplies(aclCategories(spec)),
    array([]),
    keySpecs(spec),
    array(subs),
  ]);
}

function commandDocs(spec: CommandSpec): Reply {
  const fields: Array<[Reply, Reply]> = [
    [bulkStr('summary'), bulkStr(spec.summary)],
    [bulkStr('since'), bulkStr(spec.since)],
    [bulkStr('group'), bulkStr(spec.group)],
    [bulkStr('complexity'), bulkStr(spec.complexity)],
  ];
  if (spec.subcommands?.length) {
    fields.push([
      bulkStr('subcommands'),
      map(
        spec.subcommands.map((s) => [
          bulkStr(`${spec.name}|${s.name}`),
          map([
            [bulkStr('summary'), bulkStr(s.summary)],
            [bulkStr('since'), bulkStr(spec.since)],
            [bulkStr('group'), bulkStr(spec.group)],
            [bulkStr('complexity'), bulkStr(spec.complexity)],
          ]),
        ]),
      ),
    ]);
  }
  return map(fields);
}

function commandList(engine: Engine, argv: Buffer[]): Reply {
  const names = [...engine.table.keys()];
  if (argv.length === 2) return array(names.map(bulkStr));
  if (argv.length !== 5 || !isOpt(argv[2], 'FILTERBY')) return error('ERR syntax error');
  const arg = argv[4]!;
  if (isOpt(argv[3], 'MODULE')) return array([]);
  if (isOpt(argv[3], 'ACLCAT')) {
    const cat = arg.toString('latin1').toLowerCase();
    const all: string[] = [];
    for (const [n, spec] of engine.table) {
      if ((aclCategories(spec) as readonly string[]).includes(cat)) all.push(n);
      for (const s of spec.subcommands ?? []) {
        if ((aclCategories(spec, s) as readonly string[]).includes(cat)) all.push(`${n}|${s.name}`);
      }
    }
    return array(all.map(bulkStr));
  }
  if (isOpt(argv[3], 'PATTERN')) {
    const all: string[] = [];
    for (const [n, spec] of engine.table) {
      all.push(n);
      for (const s of spec.subcommands ?? []) all.push(`${n}|${s.name}`);
    }
    return array(all.filter((n) => globMatch(arg, Buffer.from(n, 'latin1'))).map(bulkStr));
  }
  return error('ERR syntax error');
}

function getKeys(engine: Engine, argv: Buffer[]): Reply {
  const target = argv.slice(2);
  const spec = engine.lookupCommand(target[0]!);
  if (!spec) return error('ERR Invalid command specified');
  if ((spec.arity > 0 && target.length !== spec.arity) || target.length < -spec.arity) {
    return error('ERR Invalid number of arguments specified for command');
  }
  const keys = commandKeys(spec, target);
  if (keys.length === 0) return error('ERR The command has no key arguments');
  return array(keys.map((k) => bulk(k)));
}

export const command: CommandSpec = {
  name: 'command',
  arity: -1,
  flags: ['loading', 'stale'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['connection'],
  complexity: 'O(N) where N is the total number of Redis commands',
  summary: 'Returns detailed information about all commands.',
  since: '2.8.13',
  subcommands: [
    { name: 'count', arity: 2, summary: 'Returns a count of commands.' },
    { name: 'info', arity: -2, summary: 'Returns information about one, multiple or all commands.' },
    { name: 'docs', arity: -2, summary: 'Returns documentary information about one, multiple or all commands.' },
    { name: 'list', arity: -2, summary: 'Returns a list of command names.' },
    { name: 'getkeys', arity: -3, summary: 'Extracts the key names from an arbitrary command.' },
    { name: 'help', arity: 2, summary: 'Returns helpful text about the different subcommands.' },
  ],
  run({ engine, argv }) {
    if (argv.length === 1) return array([...engine.table.values()].map(commandInfo));
    const sub = subcommandOf(command, argv);
    if (typeof sub !== 'string') return sub;
    switch (sub) {
      case 'count':
        return int(engine.table.size);
      case 'info': {
        if (argv.length === 2) return array([...engine.table.values()].map(commandInfo));
        return array(
          argv.slice(2).map((n) => {
            const spec = engine.lookupCommand(n);
            return spec ? commandInfo(spec) : NULL;
          }),
        );
      }
      case 'docs': {
        const specs =
          argv.length === 2
            ? [...engine.table.values()]
            : argv
                .slice(2)
                .map((n) => engine.lookupCommand(n))
                .filter((s): s is CommandSpec => s !== undefined);
        return map(specs.map((s) => [bulkStr(s.name), commandDocs(s)]));
      }
      case 'list':
        return commandList(engine, argv);
      case 'getkeys':
        return getKeys(engine, argv);
      default:
        return array(helpLines(command).map((l) => simple(l)));
    }
  },
};
